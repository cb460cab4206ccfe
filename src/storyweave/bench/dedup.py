"""Near-duplicate (reprint) benchmark on reprints made reproducibly from real texts.

Any JSONL file with a ``text`` field gives the originals (texts of at least 20 words, each
once). A seeded share of them gets one to three reprints: the same text with other spacing
and case (an exact copy once normalised), with a site's boilerplate around it, cut short,
with a few words edited, or with boilerplate and edits. Every two texts of one family
(an original and its reprints) are a gold pair; texts from different originals never are,
however close their subject (originals that already overlap are dropped first). Families
are split in two halves by a hash of the original: storyweave's thresholds were chosen on
the first half, and every method is also scored on the other.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyweave.bench.metrics import PrecisionRecall, one_core
from storyweave.dedup import NearDuplicateDetector, normalised_body_key, shingle_hashes

HALVES = ("tune", "held-out")
BOILERPLATE = (
    "Share this article", "Follow us on social media for the latest updates.", "Advertisement",
    "Sign up for our daily newsletter.", "All rights reserved.", "Read more:", "Related stories",
    "This article originally appeared on {site}.", "Copyright {year} {site}.", "Photo: {site} archive",
    "Reporting by {site} staff; editing by the news desk.", "Comments are closed.",
)
SITES = ("Daily Ledger", "Morning Courier", "City Herald", "Wire Today", "Coastal Times", "Evening Post")


class BenchDataError(ValueError):
    """The data file gives no usable texts."""


def load_originals(path: Path, min_words: int = 20) -> list[str]:
    """Distinct texts of at least ``min_words`` words from a JSONL file with a ``text`` field."""
    seen: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    text = str(json.loads(line)["text"])
                    if len(text.split()) >= min_words:
                        seen.setdefault(normalised_body_key(text), text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BenchDataError(f"{path}: expected JSONL lines with a \"text\" field ({exc})") from exc
    originals = distinct(list(seen.values()))
    if len(originals) < 2:
        raise BenchDataError(f"{path}: needs at least two distinct texts of {min_words}+ words")
    return originals


def distinct(texts: Sequence[str], shingle: int = 5, max_overlap: float = 0.3) -> list[str]:
    """The texts that share at most ``max_overlap`` of their shingles with any text before them
    (data sets hold reprints of their own: those would be unlabelled copies). Exact, by an inverted index."""
    hashes, offsets = shingle_hashes(texts, shingle)
    holders: dict[int, list[int]] = defaultdict(list)
    kept = []
    for index in range(len(texts)):
        own = set(hashes[offsets[index] : offsets[index + 1]].tolist())
        shared = defaultdict(int)
        for value in own:
            for other in holders[value]:
                shared[other] += 1
        if max(shared.values(), default=0) <= max_overlap * len(own):
            kept.append(index)
            for value in own:
                holders[value].append(index)
    return [texts[i] for i in kept]


def respaced(text: str, rng: random.Random) -> str:
    """The same words in another case and spacing (an exact copy once normalised)."""
    changed = text.upper() if rng.random() < 0.5 else text.lower()
    return re.sub(r"\s+", lambda _: rng.choice([" ", "  ", "\n", " \n "]), changed)


def with_boilerplate(text: str, rng: random.Random) -> str:
    """The text between a header and a footer of a site's boilerplate lines."""
    site, year = rng.choice(SITES), rng.randint(2015, 2025)
    lines = [line.format(site=site, year=year) for line in rng.sample(BOILERPLATE, 4)]
    return "\n".join([lines[0], text, *lines[1:]])


def cut_short(text: str, rng: random.Random) -> str:
    """The first 80-95% of the words (reprints often drop the tail)."""
    words = text.split()
    return " ".join(words[: max(1, round(len(words) * rng.uniform(0.8, 0.95)))])


def edited(text: str, rng: random.Random) -> str:
    """A few words (about 1 in 50) replaced, dropped or doubled, as by a copy editor."""
    words = text.split()
    for _ in range(max(1, len(words) // 50)):
        at = rng.randrange(len(words))
        action = rng.choice(("replace", "drop", "double"))
        if action == "replace":
            words[at] = rng.choice(("also", "however", "reportedly", "then", "now"))
        elif action == "drop" and len(words) > 1:
            del words[at]
        else:
            words.insert(at, words[at])
    return " ".join(words)


def boilerplate_and_edits(text: str, rng: random.Random) -> str:
    return with_boilerplate(edited(text, rng), rng)


REPRINTS: dict[str, Callable[[str, random.Random], str]] = {
    "exact (case, spacing)": respaced,
    "boilerplate": with_boilerplate,
    "truncated": cut_short,
    "edited": edited,
    "boilerplate + edits": boilerplate_and_edits,
}


@dataclass(frozen=True, slots=True)
class Corpus:
    """Originals and their reprints, shuffled: each text's family (original) and kind."""

    texts: list[str]
    family: list[int]
    kind: list[str]
    half: list[str]

    def gold(self) -> set[tuple[int, int]]:
        members = defaultdict(list)
        for index, family in enumerate(self.family):
            members[family].append(index)
        return {(i, j) for group in members.values() for i in group for j in group if i < j}


def build_corpus(originals: Sequence[str], seed: int = 0, share: float = 0.5) -> Corpus:
    """Originals plus one to three reprints of a ``share`` of them, in a seeded random order."""
    rng = random.Random(seed)
    rows = []
    for family, text in enumerate(originals):
        half = HALVES[hashlib.sha1(text.encode()).digest()[0] % 2]
        rows.append((text, family, "original", half))
        if rng.random() < share:
            for kind in rng.sample(list(REPRINTS), rng.randint(1, 3)):
                rows.append((REPRINTS[kind](text, rng), family, kind, half))
    rng.shuffle(rows)
    return Corpus(*(list(column) for column in zip(*rows)))


@dataclass(frozen=True, slots=True)
class Found:
    pairs: set[tuple[int, int]]
    seconds: float
    texts: int  # texts the method ran on (a sample, for the exhaustive baseline)


def exact_hash(corpus: Corpus) -> Found:
    """Baseline: texts with the same normalised content are copies."""
    start = time.perf_counter()
    groups = defaultdict(list)
    for index, text in enumerate(corpus.texts):
        groups[normalised_body_key(text)].append(index)
    pairs = {(i, j) for group in groups.values() for i in group for j in group if i < j}
    return Found(pairs, time.perf_counter() - start, len(corpus.texts))


def storyweave(corpus: Corpus, detector: NearDuplicateDetector | None = None) -> Found:
    """storyweave's :class:`NearDuplicateDetector`: shingle hashes, rensa MinHash, LSH bands, overlap check."""
    detector = detector or NearDuplicateDetector()
    start = time.perf_counter()
    pairs = {(i, j) for i, j, _ in detector.pairs(detector.signatures(corpus.texts))}
    return Found(pairs, time.perf_counter() - start, len(corpus.texts))


def _is_copy(detector: NearDuplicateDetector, jaccard: float, sizes: tuple[int, int]) -> bool:
    containment = min(jaccard * sum(sizes) / ((1 + jaccard) * min(sizes)), 1.0)
    return bool(detector.copies(np.array(jaccard), np.array(containment)))


def rensa_objects(corpus: Corpus) -> Found:
    """The same decision through rensa's object API: string shingles, ``RMinHash``, ``RMinHashLSH``."""
    from rensa import RMinHash, RMinHashLSH

    detector = NearDuplicateDetector()
    start = time.perf_counter()
    shingles = [[" ".join(w[i : i + detector.shingle]) for i in range(max(1, len(w) - detector.shingle + 1))]
                for w in (re.findall(r"\w+", t.lower()) for t in corpus.texts)]
    signatures = RMinHash.from_token_sets(shingles, detector.num_perm, 42)
    lsh = RMinHashLSH(detector.threshold, detector.num_perm, detector.bands)
    lsh.insert_many(signatures, 0)
    sizes = [len(s) for s in shingles]
    pairs = {(i, int(j)) for i, found in enumerate(lsh.query_all(signatures)) for j in found
             if j > i and _is_copy(detector, signatures[i].jaccard(signatures[j]), (sizes[i], sizes[j]))}
    return Found(pairs, time.perf_counter() - start, len(corpus.texts))


def exhaustive_jaccard(corpus: Corpus, sample: int = 1500) -> Found:
    """Baseline: exact overlap of shingle sets for every pair of the first ``sample`` texts."""
    detector = NearDuplicateDetector()
    texts = corpus.texts[:sample]
    start = time.perf_counter()
    hashes, offsets = shingle_hashes(texts, detector.shingle)
    sets = [set(hashes[offsets[i] : offsets[i + 1]].tolist()) for i in range(len(texts))]
    pairs = {(i, j) for i in range(len(sets)) for j in range(i + 1, len(sets))
             if _is_copy(detector, len(sets[i] & sets[j]) / len(sets[i] | sets[j]), (len(sets[i]), len(sets[j])))}
    return Found(pairs, time.perf_counter() - start, len(texts))


METHODS: dict[str, Callable[[Corpus], Found]] = {
    "normalised-content hash (exact copies)": exact_hash,
    "exhaustive exact overlap (first 1,500 texts)": exhaustive_jaccard,
    "rensa objects (RMinHash + RMinHashLSH)": rensa_objects,
    "storyweave (shingle hashes + MinHash + LSH)": storyweave,
}
STORYWEAVE = "storyweave (shingle hashes + MinHash + LSH)"


@dataclass(frozen=True, slots=True)
class MethodResult:
    name: str
    scores: dict[str, PrecisionRecall]  # "all", "tune", "held-out"
    recall_by_kind: dict[str, float]
    texts: int
    texts_per_s: float


def score(corpus: Corpus, found: Found, half: str | None = None) -> PrecisionRecall:
    """Pair precision and recall over the texts the method ran on (within ``half``, if given)."""
    keep = range(found.texts) if half is None else [i for i in range(found.texts) if corpus.half[i] == half]
    kept = set(keep)
    gold = {(i, j) for i, j in corpus.gold() if i in kept and j in kept}
    pairs = {(i, j) for i, j in found.pairs if i in kept and j in kept}
    hits = len(pairs & gold)
    return PrecisionRecall(hits / len(pairs) if pairs else 0.0, hits / len(gold) if gold else 0.0)


def recall_by_kind(corpus: Corpus, found: Found) -> dict[str, float]:
    """Share of reprints of each kind found paired with their original."""
    original = {corpus.family[i]: i for i in range(found.texts) if corpus.kind[i] == "original"}
    hits, totals = defaultdict(int), defaultdict(int)
    for i in range(found.texts):
        if corpus.kind[i] != "original" and corpus.family[i] in original:
            pair = tuple(sorted((i, original[corpus.family[i]])))
            totals[corpus.kind[i]] += 1
            hits[corpus.kind[i]] += pair in found.pairs
    return {kind: hits[kind] / totals[kind] for kind in REPRINTS if totals[kind]}


def run_method(name: str, corpus: Corpus) -> MethodResult:
    """Run one method on one core (after an untimed warm-up on a few texts) and score it."""
    METHODS[name](Corpus(corpus.texts[:20], corpus.family[:20], corpus.kind[:20], corpus.half[:20]))
    with one_core():
        found = METHODS[name](corpus)
    scores = {"all": score(corpus, found), **{half: score(corpus, found, half) for half in HALVES}}
    return MethodResult(name, scores, recall_by_kind(corpus, found), found.texts,
                        found.texts / max(found.seconds, 1e-9))


def headline(result: MethodResult) -> dict:
    overall, held_out = result.scores["all"], result.scores[HALVES[1]]
    return {"precision": round(overall.precision, 4), "recall": round(overall.recall, 4),
            "texts_per_s": round(result.texts_per_s, 1),
            "held_out": {"precision": round(held_out.precision, 4), "recall": round(held_out.recall, 4)},
            "recall_by_kind": {k: round(v, 4) for k, v in result.recall_by_kind.items()}}
