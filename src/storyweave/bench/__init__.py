"""Benchmarks of pipeline stages on public data sets, measured in one run on the same documents."""
