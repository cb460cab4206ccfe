"""Small charts drawn server-side as SVG: a sparkline of articles per day, and coverage over
time by language (language labels escaped; everything else is numbers and dates)."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(n)).isoformat() for n in range((end - start).days + 1)]


def _polyline(counts: list[int], width: float, height: float, top: int) -> str:
    step = width / max(len(counts) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - (c / max(top, 1)) * height:.1f}" for i, c in enumerate(counts))


def sparkline(per_day: list[tuple[str, int]], width: int = 120, height: int = 24) -> str:
    """Articles per day as a small line (empty when no article is dated)."""
    if not per_day:
        return ""
    counts = dict(per_day)
    days = _days(per_day[0][0], per_day[-1][0])
    values = [counts.get(d, 0) for d in days]
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
            f'<title>articles per day</title><polyline fill="none" stroke="#1f77b4" stroke-width="1.5" '
            f'points="{_polyline(values, width, height - 2, max(values))}"/></svg>')


def coverage_chart(coverage: dict[str, list[tuple[str, int]]], width: int = 560, height: int = 160) -> str:
    """Articles per day, one line per language, with a legend (empty when no article is dated)."""
    dated = [d for days in coverage.values() for d, _ in days]
    if not dated:
        return ""
    days = _days(min(dated), max(dated))
    top = max(c for days_ in coverage.values() for _, c in days_)
    plot_height = height - 44  # room below for the dates, then the legend
    lines, legend = [], []
    for n, (lang, per_day) in enumerate(sorted(coverage.items())):
        colour = PALETTE[n % len(PALETTE)]
        counts = dict(per_day)
        points = _polyline([counts.get(d, 0) for d in days], width - 40, plot_height, top)
        lines.append(f'<polyline transform="translate(30,5)" fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{points}"/>')
        legend.append(f'<text x="{30 + 60 * n}" y="{height - 4}" fill="{colour}" font-size="12">{escape(lang)}</text>')
    axis = (f'<text x="0" y="14" font-size="11">{top}</text><text x="30" y="{plot_height + 20}" font-size="11">'
            f'{days[0]}</text><text x="{width - 80}" y="{plot_height + 20}" font-size="11">{days[-1]}</text>')
    return (f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
            f'<title>articles per day by language</title>{axis}{"".join(lines)}{"".join(legend)}</svg>')
