"""Copies and translations: exact duplicates, near-duplicate reprints, cross-lingual translations.

Reprints are found by MinHash (``rensa``) over word shingles and LSH banding, and verified
by the estimated overlap (most of the shorter text inside the other); the longest passage
the two share is recorded. Exact copies share a normalised-content key.

Translations are found by aligning two articles sentence by sentence in the multilingual
space. Each pairing of sentences (one to one, or one to two where a translator split or
joined a sentence) is scored by its *margin*: the cosine divided by the mean cosine of both
sides' nearest neighbours among comparable sentences, as in LASER bitext mining. Raw
cosines are high for any two texts on one topic; a margin is high only when a sentence is
closer to its partner than to everything else it could have been paired with. A monotone
alignment of such pairings must cover most sentences of both texts: sharing a topic is not
enough, sharing the structure is. Online, where an article's translation may not have arrived,
each pairing must also be clearly closer than the rest (``RelationFinder.online_margin``).
"""

from __future__ import annotations

import difflib
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import regex

from .models import Article
from .text import fold, words


@dataclass(frozen=True, slots=True)
class Relation:
    """``article_id`` is a copy (``duplicate``) or a ``translation`` of ``original_id``."""

    kind: str
    article_id: str
    original_id: str
    score: float
    evidence: str


def normalised_body_key(body: str) -> str:
    """Key under which exact duplicates (same words, any spacing or case) collide."""
    return " ".join(words(fold(body)))


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length."""
    return matrix / np.maximum(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-12)


def margin_matrix(a: np.ndarray, b: np.ndarray, k: int = 4) -> np.ndarray:
    """Ratio-margin scores of every sentence pair of two texts."""
    return _ratio_margins(a @ b.T, k)


def _ratio_margins(cos: np.ndarray, k: int) -> np.ndarray:
    """Cosines divided by the mean of both sides' ``k`` nearest cosines (rows to columns and back)."""
    near_rows = np.sort(cos, axis=1)[:, -min(k, cos.shape[1]):].mean(axis=1)
    near_columns = np.sort(cos, axis=0)[-min(k, cos.shape[0]):, :].mean(axis=0)
    return cos / np.maximum((near_rows[:, None] + near_columns[None, :]) / 2, 1e-6)


# -- sentence alignment ---------------------------------------------------------------------

# Beads of an alignment: sentences taken from each side (one to one, one to two, two to one).
BEADS = ((1, 1), (1, 2), (2, 1))

# Mean cosine of each sentence, and of each two consecutive sentences read as one, to their
# nearest sentences of the other language.
Neighbourhood = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class Alignment:
    """Order-preserving pairing of two texts' sentences: beads of ``(a_start, a_count, b_start, b_count)``."""

    beads: list[tuple[int, int, int, int]]
    margins: list[float]
    coverage: float  # share of both texts' sentences inside beads (0..1)

    @property
    def strength(self) -> float:
        """Mean margin of the beads (0 when nothing aligns): ranks alignments of equal coverage."""
        return float(np.mean(self.margins)) if self.margins else 0.0


def _joined(vectors: np.ndarray) -> np.ndarray:
    """Vectors of each two consecutive sentences read as one."""
    return unit_rows(vectors[:-1] + vectors[1:]) if len(vectors) > 1 else vectors[:0]


@dataclass(frozen=True, slots=True)
class Sentences:
    """A text's sentence vectors and those of each two consecutive sentences read as one, computed once
    for the many alignments a text takes part in."""

    single: np.ndarray
    joined: np.ndarray

    @classmethod
    def of(cls, vectors: np.ndarray | Sentences) -> Sentences:
        return vectors if isinstance(vectors, Sentences) else cls(vectors, _joined(vectors))

    def __len__(self) -> int:
        return len(self.single)


def _bead_margins(a: Sentences, b: Sentences, near_a: Neighbourhood, near_b: Neighbourhood) -> dict:
    """Ratio margin of every possible bead, keyed by its shape."""
    sides = {1: (a.single, near_a[0]), 2: (a.joined, near_a[1])}
    other = {1: (b.single, near_b[0]), 2: (b.joined, near_b[1])}
    margins = {}
    for da, db in BEADS:
        (va, na), (vb, nb) = sides[da], other[db]
        margins[da, db] = (va @ vb.T) / np.maximum((na[:, None] + nb[None, :]) / 2, 1e-6)
    return margins


def _best_beads(margins: dict, passing: dict, n: int, m: int) -> list[tuple[int, int, int, int, float]]:
    """Passing beads covering the most sentences, in order (dynamic programming); among
    alignments covering as many, the one with the highest margins."""
    # Plain lists: indexing them in the loop is much faster than indexing arrays.
    allowed = {shape: np.where(passing[shape], margins[shape], np.nan).tolist() for shape in BEADS}
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    step: dict[tuple[int, int], tuple[int, int, float | None]] = {}
    for i in range(n + 1):
        for j in range(m + 1):
            if not (i or j):
                continue
            best, move = -1.0, (0, 0, None)
            if i and score[i - 1][j] > best:
                best, move = score[i - 1][j], (1, 0, None)
            if j and score[i][j - 1] > best:
                best, move = score[i][j - 1], (0, 1, None)
            for da, db in BEADS:
                if i >= da and j >= db and (margin := allowed[da, db][i - da][j - db]) == margin:  # not NaN
                    gain = score[i - da][j - db] + da + db + 1e-3 * margin
                    if gain > best:
                        best, move = gain, (da, db, margin)
            score[i][j], step[i, j] = best, move
    beads, i, j = [], n, m
    while i or j:
        da, db, margin = step[i, j]
        i, j = i - da, j - db
        if margin is not None:
            beads.append((i, da, j, db, margin))
    return beads[::-1]


@dataclass(frozen=True, slots=True)
class TranslationDetector:
    """Decides whether two texts in different languages are translations of each other.

    A bead needs a ratio margin of ``margin`` when the neighbourhoods span at least
    ``min_reference`` texts of the other language, and the stricter ``pair_margin`` when
    they span only the two texts themselves (a text's own sentences are poor competitors for
    its partner's). ``min_coverage``: the share of both texts' sentences the alignment must
    cover; ``neighbours``: how many nearest sentences make a sentence's neighbourhood.
    """

    margin: float = 1.0
    pair_margin: float = 1.04
    min_reference: int = 3
    min_coverage: float = 0.6
    neighbours: int = 4

    def margin_for(self, reference_texts: int) -> float:
        """The margin a bead needs when neighbourhoods span ``reference_texts`` texts."""
        return self.margin if reference_texts >= self.min_reference else self.pair_margin

    def neighbourhood(self, vectors: np.ndarray | Sentences, reference: np.ndarray) -> Neighbourhood:
        """How close a text's sentences (alone and joined in twos) come to ``reference`` sentences.

        ``reference``: sentences of the other language that the text could have been paired with.
        """
        k = min(self.neighbours, len(reference))
        sentences = Sentences.of(vectors)
        # the mean of the k nearest, as a sum over k (the same values; np.mean's wrapper costs more on these few)
        return tuple(np.add.reduce(np.sort(v @ reference.T, axis=1)[:, -k:], axis=1) / k
                     for v in (sentences.single, sentences.joined))

    def align(self, a: np.ndarray | Sentences, b: np.ndarray | Sentences, near_a: Neighbourhood | None = None,
              near_b: Neighbourhood | None = None, margin: float | None = None) -> Alignment:
        """Best monotone alignment of two texts' sentence vectors.

        ``near_a``/``near_b``: each text's :meth:`neighbourhood` among the sentences of the other
        language it could have been paired with (several texts: then ``margin`` defaults to
        :attr:`margin`); by default the other text's sentences alone, with :attr:`pair_margin`.
        """
        if len(a) == 0 or len(b) == 0:
            return Alignment([], [], 0.0)
        a, b = Sentences.of(a), Sentences.of(b)
        if margin is None:
            margin = self.pair_margin if near_a is None and near_b is None else self.margin
        near_a = self.neighbourhood(a, b.single) if near_a is None else near_a
        near_b = self.neighbourhood(b, a.single) if near_b is None else near_b
        margins = _bead_margins(a, b, near_a, near_b)
        passing = {shape: grid >= margin for shape, grid in margins.items()}
        if not any(grid.any() for grid in passing.values()):
            return Alignment([], [], 0.0)
        beads = _best_beads(margins, passing, len(a), len(b))
        covered = sum(da + db for _, da, _, db, _ in beads)
        return Alignment([bead[:4] for bead in beads], [bead[4] for bead in beads], covered / (len(a) + len(b)))

    def accepts(self, alignment: Alignment) -> bool:
        return alignment.coverage >= self.min_coverage

    def is_translation(self, a: np.ndarray, b: np.ndarray) -> tuple[bool, float]:
        """Whether two texts' sentence vectors, on their own, align as a translation, and the coverage."""
        alignment = self.align(a, b)
        return self.accepts(alignment), alignment.coverage


@dataclass(frozen=True, slots=True)
class TranslationPair:
    """Texts ``a`` and ``b`` (indexes) found to be translations of each other."""

    a: int
    b: int
    alignment: Alignment


@dataclass
class TranslationMiner:
    """Finds every translation pair in a collection of texts in several languages.

    Candidates are each text's ``candidates`` nearest texts of every other language (cosine of
    mean sentence vectors); their sentences are also the neighbourhood that margins are taken
    against. A candidate pair is a translation when its alignment covers enough of both texts
    and each text is the other's best-aligned candidate in that language.
    """

    detector: TranslationDetector = field(default_factory=TranslationDetector)
    candidates: int = 5

    def nearest(self, langs: Sequence[str], vectors: Sequence[np.ndarray]) -> dict[tuple[int, str], list[int]]:
        """Each text's nearest texts of every other language, closest first.

        Closeness is the ratio margin of mean sentence vectors, so that "hub" texts, close to
        everything in their language, do not crowd out the partner.
        """
        docs = unit_rows(np.vstack([v.mean(axis=0) for v in vectors]))
        by_lang = defaultdict(list)
        for index, lang in enumerate(langs):
            by_lang[lang].append(index)
        members = {lang: np.asarray(found) for lang, found in by_lang.items()}
        nearest = {}
        for source, rows in members.items():
            for target, columns in members.items():
                if source == target:
                    continue
                margins = _ratio_margins(docs[rows] @ docs[columns].T, self.detector.neighbours)
                order = np.argsort(-margins, axis=1, kind="stable")[:, : self.candidates]
                nearest.update({(int(i), target): [int(j) for j in columns[o]] for i, o in zip(rows, order)})
        return nearest

    def alignments(self, langs: Sequence[str], vectors: Sequence[np.ndarray],
                   nearest: dict[tuple[int, str], list[int]]) -> dict[tuple[int, int], Alignment]:
        """Alignment of every candidate pair ``(i, j)``, ``i < j``."""
        vectors = [Sentences.of(v) for v in vectors]
        near = {(i, lang): self.detector.neighbourhood(vectors[i], np.vstack([vectors[j].single for j in found]))
                for (i, lang), found in nearest.items()}
        aligned = {}
        for (i, lang), found in nearest.items():
            for j in found:
                a, b = min(i, j), max(i, j)
                if (a, b) not in aligned:
                    aligned[a, b] = self.detector.align(vectors[a], vectors[b], near[a, langs[b]], near[b, langs[a]])
        return aligned

    def best_match(self, i: int, lang: str, nearest: dict, aligned: dict) -> int:
        """Text ``i``'s best-aligned candidate in ``lang``."""
        return max(nearest[i, lang], key=lambda j: (aligned[min(i, j), max(i, j)].coverage,
                                                    aligned[min(i, j), max(i, j)].strength))

    def select(self, langs: Sequence[str], nearest: dict, aligned: dict) -> list[TranslationPair]:
        """The aligned candidate pairs that are accepted and each other's best match."""
        return [TranslationPair(a, b, alignment) for (a, b), alignment in sorted(aligned.items())
                if self.detector.accepts(alignment)
                and self.best_match(a, langs[b], nearest, aligned) == b
                and self.best_match(b, langs[a], nearest, aligned) == a]

    def mine(self, langs: Sequence[str], vectors: Sequence[np.ndarray]) -> list[TranslationPair]:
        """All pairs of texts that are translations of each other."""
        nearest = self.nearest(langs, vectors)
        return self.select(langs, nearest, self.alignments(langs, vectors, nearest))


# A number as written: digits, perhaps in groups of three ("9,000", "1 600", "٩٠٠٠", "1920s"), not
# ending a word of an alphabet ("MH17", "G20": names, which translators may write otherwise).
_NUMBER = regex.compile(r"(?<![\p{Latin}\p{Cyrillic}\p{Greek}\d])(?:\d{1,3}(?:[ ,.'’\u00a0\u202f]\d{3})+(?!\d)|\d+)")


def numbers_in(text: str) -> frozenset[str]:
    """The numbers ``text`` writes in digits of any script, without group separators or leading zeros."""
    return frozenset(str(int("".join(c for c in found if c.isdigit()))) for found in _NUMBER.findall(text))


class _PoolNumbers(dict):
    """The numbers each article of a pool writes (by position), read when first asked for."""

    def __init__(self, pool: list[Article]):
        super().__init__()
        self.pool = pool

    def __missing__(self, position: int) -> frozenset[str]:
        article = self.pool[position]
        self[position] = found = numbers_in(f"{article.title} {article.body}")
        return found


def numbers_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two texts' numbers show they are not translations: they share none, and both write
    some or one writes a number of three digits or more (a year, a count: translators keep those
    in digits, where they may spell out "thirteen")."""
    return not a & b and (bool(a) and bool(b) or any(len(number) >= 3 for number in a | b))


# -- which of two translations is the original ----------------------------------------------

# Notes that say a text is a translation ("translated from French", "traduit de l'anglais").
TRANSLATION_NOTE = regex.compile(
    r"\b(?:translated\s+from|traduit\s+de|traduction\s+de|übersetzt\s+aus|aus\s+dem\s+\w+\s+übersetzt|"
    r"traducido\s+del?|traducción\s+del?|tradotto\s+da|traduzido\s+do|vertaald\s+uit|översatt\s+från|"
    r"oversat\s+fra|oversatt\s+fra|diterjemahkan\s+dari|перевод\s+с|переведено\s+с)\b",
    regex.IGNORECASE,
)


@lru_cache(maxsize=32)
def _territory_names(lang: str) -> frozenset[str]:
    """CLDR names of countries and regions in ``lang`` (empty for a language CLDR lacks)."""
    from babel import Locale, UnknownLocaleError

    try:
        return frozenset(name for name in Locale.parse(lang).territories.values() if len(name) > 3)
    except (ValueError, UnknownLocaleError):
        return frozenset()


@lru_cache(maxsize=256)
def _territory_pattern(lang: str) -> regex.Pattern | None:
    """The CLDR names of countries and regions in ``lang`` as one pattern (longest first), compiled once
    per language: one per pair of languages is compiled again and again on a stream of many languages."""
    names = _territory_names(lang)
    if not names:
        return None
    return regex.compile(r"\b(?:" + "|".join(map(regex.escape, sorted(names, key=len, reverse=True))) + r")\b")


def name_forms(text: str, lang: str, source: str) -> list[str]:
    """Place names in ``text`` spelt as in ``source``, not as in ``lang`` (CLDR names).

    An Indonesian text that writes "Turkey" rather than "Turki" keeps the English form.
    """
    pattern = _territory_pattern(source)
    if pattern is None:
        return []
    native = _territory_names(lang)
    return [name for name in dict.fromkeys(pattern.findall(text)) if name not in native]


def original_evidence(first: Article, second: Article) -> tuple[str, str] | None:
    """``(id of the likely original, evidence)`` for two translations, where the texts say so."""
    text = {a.id: f"{a.title}\n{a.body}" for a in (first, second)}
    noted = [a for a in (first, second) if TRANSLATION_NOTE.search(text[a.id])]
    if len(noted) == 1:
        original = second if noted[0] is first else first
        return original.id, "the other text says it is translated"
    for original, translation in ((first, second), (second, first)):
        kept = name_forms(text[translation.id], translation.lang, original.lang)
        if kept and not name_forms(text[original.id], original.lang, translation.lang):
            return original.id, f"{translation.lang} text keeps {original.lang} name forms ({', '.join(kept[:3])})"
    if first.published and second.published and first.published != second.published:
        earlier = min(first, second, key=lambda a: a.published)
        return earlier.id, "published earlier"
    return None


# Words, and single CJK characters (those scripts do not space words).
_TOKEN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]|[^\W_]+")

# Bytes of UTF-8 text that belong to words: ASCII letters and digits, and all non-ASCII bytes.
_WORD_BYTE = np.zeros(256, bool)
_WORD_BYTE[[*range(48, 58), *range(65, 91), *range(97, 123), *range(128, 256)]] = True
# Lead bytes of three-byte characters from U+3000 to U+9FFF (kana, CJK ideographs): one token each.
_CJK_LEAD = np.zeros(256, bool)
_CJK_LEAD[0xE3:0xEA] = True
_MAX_TOKEN_BYTES = 64
_BYTE_POWERS = np.cumprod(np.full(_MAX_TOKEN_BYTES, 0x100000001B3, np.uint64), dtype=np.uint64)
_SHINGLE_WEIGHTS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                             0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
                            np.uint64)


def _mix(hashes: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits of each hash."""
    with np.errstate(over="ignore"):
        hashes = (hashes ^ (hashes >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        hashes = (hashes ^ (hashes >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return hashes ^ (hashes >> np.uint64(31))


def _punctuation(data: np.ndarray) -> np.ndarray:
    """Bytes of non-ASCII punctuation: U+00A0-U+00BF (no-break space, guillemets), U+2000-U+206F
    (dashes, curly quotes), U+3000-U+303F (CJK full stops and brackets). ``data`` ends in two zero bytes."""
    marks = np.zeros(len(data), bool)
    leads = np.flatnonzero(data >= 0xC2)
    lead, second = data[leads], data[leads + 1]
    latin = leads[(lead == 0xC2) & (second >= 0xA0)]
    wide = leads[((lead == 0xE2) & ((second == 0x80) | (second == 0x81))) | ((lead == 0xE3) & (second == 0x80))]
    for shift in (0, 1):
        marks[latin + shift] = True
    for shift in (0, 1, 2):
        marks[wide + shift] = True
    return marks


def _token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the lower-cased word tokens of all texts, and the text each token belongs to.

    Vectorised over the UTF-8 bytes of all texts at once: tokens are runs of letters and
    digits, and each kana or CJK ideograph is a token of its own.
    """
    encoded = [t.lower().encode("utf-8") for t in texts]
    data = np.frombuffer(b"\x00".join(encoded) + b"\x00\x00", np.uint8)
    text_starts = np.cumsum([0] + [len(e) + 1 for e in encoded[:-1]])
    word = _WORD_BYTE[data] & ~_punctuation(data)
    lead = _CJK_LEAD[data] & word
    start = word & ~np.concatenate(([False], word[:-1]))
    start |= lead | (word & np.concatenate(([False] * 3, lead[:-3])))[: len(data)]
    positions = np.flatnonzero(word).astype(np.int32)
    first_byte = np.flatnonzero(start[positions]).astype(np.int32)
    lengths = np.diff(np.append(first_byte, np.int32(len(positions))))
    offset = np.minimum(np.arange(len(positions), dtype=np.int32) - np.repeat(first_byte, lengths),
                        _MAX_TOKEN_BYTES - 1)
    with np.errstate(over="ignore"):
        values = (data[positions].astype(np.uint64) + np.uint64(1)) * _BYTE_POWERS[offset]
    hashes = _mix(np.add.reduceat(values, first_byte)) if len(first_byte) else np.zeros(0, np.uint64)
    owner = np.searchsorted(text_starts, positions[first_byte], side="right") - 1
    return hashes, owner


def _combine(hashes: np.ndarray) -> np.uint64:
    with np.errstate(over="ignore"):
        return _mix(np.array([np.sum(hashes * _SHINGLE_WEIGHTS[: len(hashes)])], np.uint64))[0]


def shingle_hashes(texts: Sequence[str], size: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every text's overlapping runs of ``size`` words, flat, and each text's offsets into them.

    A text of fewer than ``size`` words is one shingle (an empty text, the hash of nothing).
    """
    tokens, owner = _token_hashes(texts)
    windows = max(len(tokens) - size + 1, 0)
    with np.errstate(over="ignore"):
        combined = np.zeros(windows, np.uint64)
        for k in range(size):
            combined += tokens[k : k + windows] * _SHINGLE_WEIGHTS[k]
    inside = owner[:windows] == owner[size - 1 : size - 1 + windows]
    hashes, owners = _mix(combined[inside]), owner[:windows][inside]
    counts = np.bincount(owner, minlength=len(texts))
    short = np.flatnonzero(counts < size)
    if len(short):
        extra = [_combine(tokens[owner == i]) for i in short]
        hashes = np.concatenate([hashes, np.array(extra, np.uint64)])
        owners = np.concatenate([owners, short])
        order = np.argsort(owners, kind="stable")
        hashes, owners = hashes[order], owners[order]
    offsets = np.concatenate(([0], np.cumsum(np.bincount(owners, minlength=len(texts))))).astype(np.uint64)
    return hashes, offsets


def shared_span(copy: str, original: str) -> tuple[int, int, int]:
    """Longest run of words the two texts share: (start in ``copy``, start in ``original``, length)."""
    a, b = _TOKEN.findall(copy.lower()), _TOKEN.findall(original.lower())
    match = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.a, match.b, match.size


@dataclass(frozen=True, slots=True)
class Signatures:
    """MinHash signatures of texts (one ``uint32`` row each) and how many shingles each text has."""

    minhash: np.ndarray
    sizes: np.ndarray

    def similarity(self, i: int | np.ndarray, j: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimated Jaccard similarity and containment (shared share of the smaller text) of texts i and j."""
        jaccard = np.mean(self.minhash[i] == self.minhash[j], axis=-1)
        a, b = self.sizes[i], self.sizes[j]
        containment = np.minimum(jaccard * (a + b) / ((1 + jaccard) * np.minimum(a, b)), 1.0)
        return jaccard, containment


class NearDuplicateDetector:
    """Reprints: MinHash (rensa) of word 5-shingles, LSH banding, then a check of the estimated overlap.

    Two texts are copies when most of the shorter one is in the other (``threshold`` on the
    containment: boilerplate around a reprint or a cut tail do not hide it) and they share at
    least ``min_jaccard`` of all their shingles. ``bands`` of the LSH: 32 bands of 4 rows
    find pairs of Jaccard 0.5 with probability 0.87 and of 0.6 with 0.98. The defaults were
    chosen on the first half of ``storyweave bench dedup``.
    """

    def __init__(self, threshold: float = 0.7, min_jaccard: float = 0.3, num_perm: int = 128, bands: int = 32,
                 shingle: int = 5):
        self.threshold = threshold
        self.min_jaccard = min_jaccard
        self.num_perm = num_perm
        self.bands = bands
        self.shingle = shingle
        self.chunk = 512

    def signatures(self, texts: Sequence[str]) -> Signatures:
        """Signatures of many texts at once."""
        from rensa import RMinHash

        rows, sizes = [np.zeros((0, self.num_perm), np.uint32)], [np.zeros(0, np.int64)]
        for start in range(0, len(texts), self.chunk):  # chunks keep the byte arrays in cache
            hashes, offsets = shingle_hashes(texts[start : start + self.chunk], self.shingle)
            matrix = RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, self.num_perm, 42)
            rows.append(np.array(matrix.to_rows(), np.uint32))
            sizes.append(np.diff(offsets.astype(np.int64)))
        return Signatures(np.vstack(rows), np.concatenate(sizes))

    def candidates(self, signatures: Signatures) -> np.ndarray:
        """Pairs ``(i, j)``, ``i < j``, whose signatures agree on at least one band (LSH)."""
        rows, count = self.num_perm // self.bands, len(signatures.minhash)
        found = [np.zeros(0, np.int64)]
        for band in range(self.bands):
            with np.errstate(over="ignore"):
                keys = _mix(signatures.minhash[:, band * rows : (band + 1) * rows].astype(np.uint64)
                            @ _SHINGLE_WEIGHTS[:rows])
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            # Equal keys are neighbours once sorted: pair each text with those 1, 2, ... places on.
            distance = 1
            while len(same := np.flatnonzero(keys[distance:] == keys[:-distance])):
                i, j = order[same], order[same + distance]
                found.append(np.minimum(i, j) * count + np.maximum(i, j))
                distance += 1
        codes = np.unique(np.concatenate(found))
        return np.stack([codes // count, codes % count], axis=1)

    def copies(self, jaccard: np.ndarray, containment: np.ndarray) -> np.ndarray:
        """Whether pairs of the given similarities are copies."""
        return (containment >= self.threshold) & (jaccard >= self.min_jaccard)

    def pairs(self, signatures: Signatures) -> list[tuple[int, int, float]]:
        """Every pair of copies ``(i, j, containment)``, ``i < j``."""
        pairs = self.candidates(signatures)
        jaccard, containment = signatures.similarity(pairs[:, 0], pairs[:, 1])
        keep = self.copies(jaccard, containment)
        return [(int(i), int(j), float(c)) for (i, j), c in zip(pairs[keep], containment[keep])]


# -- relations of new articles to earlier ones ------------------------------------------------


class RelationFinder:
    """Whether each new article copies or translates an article before it."""

    kept = 50_000  # signatures of the most recent articles kept between batches (open events come back)
    # Bead margin when the closest texts of the other language are the reference. Unlike the
    # :class:`TranslationMiner`, which keeps only mutual best matches over a whole collection,
    # an article often arrives with its translation absent; the closest of a few texts on the
    # same subject (another passage of the same report) then aligns at margins just above 1.
    # Each bead must be clearly closer to its partner than to the other candidates' sentences.
    online_margin = 1.02

    def __init__(self, candidates: int = 5):
        self.candidates = candidates  # closest earlier articles of each language tried as originals
        self.near_duplicates = NearDuplicateDetector()
        self.translations = TranslationDetector(margin=self.online_margin)
        self._signatures: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()

    def signatures(self, articles: list[Article]) -> Signatures:
        """MinHash signatures of the articles' bodies, each computed once while it stays recent."""
        missing = [a for a in articles if a.id not in self._signatures]
        fresh = self.near_duplicates.signatures([a.body for a in missing])
        for index, article in enumerate(missing):
            self._signatures[article.id] = (fresh.minhash[index], int(fresh.sizes[index]))
        for article in articles:
            self._signatures.move_to_end(article.id)
        rows = [self._signatures[a.id] for a in articles]
        while len(self._signatures) > self.kept:
            self._signatures.popitem(last=False)
        minhash = np.array([r for r, _ in rows], np.uint32).reshape(len(rows), self.near_duplicates.num_perm)
        return Signatures(minhash, np.array([n for _, n in rows], np.int64))

    def find_all(self, pool: list[Article], first_new: int, vectors: dict[str, np.ndarray],
                 copy_of: dict[str, str]) -> list[Relation]:
        """Relations of ``pool[first_new:]`` to the articles before each of them.

        ``copy_of`` maps an article to an earlier one with exactly the same text, where known.
        """
        signatures = self.signatures(pool)
        earlier_copies = defaultdict(list)
        for i, j in self.near_duplicates.candidates(signatures).tolist():
            earlier_copies[j].append(i)
        docs = unit_rows(np.vstack([vectors[a.id].mean(axis=0) for a in pool]))
        langs = np.array([a.lang for a in pool])
        numbers = _PoolNumbers(pool)
        sentences: dict[str, Sentences] = {}  # of the articles aligned so far
        relations = []
        for position in range(first_new, len(pool)):
            article = pool[position]
            if article.id in copy_of:
                relation = Relation("duplicate", article.id, copy_of[article.id], 1.0, "identical text")
            else:
                relation = self._copy(pool, position, earlier_copies[position], signatures)
                if relation is None:
                    relation = self._translation(pool, position, docs[:position] @ docs[position],
                                                 langs[:position], vectors, numbers, sentences)
            if relation:
                relations.append(relation)
        return relations

    def _copy(self, pool: list[Article], position: int, earlier: list[int], signatures: Signatures) -> Relation | None:
        """The closest earlier near-copy in the same language, with the passage they share."""
        article = pool[position]
        earlier = [j for j in earlier if pool[j].lang == article.lang]
        if not earlier:
            return None
        jaccard, containment = signatures.similarity(np.full(len(earlier), position), np.array(earlier))
        copies = np.flatnonzero(self.near_duplicates.copies(jaccard, containment))
        if not len(copies):
            return None
        best = max(copies, key=lambda c: (containment[c], jaccard[c], -earlier[c]))
        original = pool[earlier[best]]
        start, _, length = shared_span(article.body, original.body)
        return Relation("duplicate", article.id, original.id, float(containment[best]),
                        f"near-duplicate (MinHash: {containment[best]:.0%} of the shorter text shared, "
                        f"Jaccard {jaccard[best]:.2f}); shares {length} words in a row from word {start}")

    def _translation(self, pool: list[Article], position: int, similarity: np.ndarray, langs: np.ndarray,
                     vectors: dict[str, np.ndarray], numbers: _PoolNumbers,
                     sentences: dict[str, Sentences]) -> Relation | None:
        """The best-aligned earlier article in another language, among the closest ones of each language
        (``similarity`` and ``langs``: document cosines and languages of the articles before it;
        ``numbers``: the numbers each article of the pool writes; ``sentences``: the :class:`Sentences` of
        articles aligned before, by id, which this adds to).

        Margins are taken against the closest articles of each language, so the more of them
        there are, the less a bead needs (see :class:`TranslationDetector`). Only those whose
        numbers do not differ (:func:`numbers_differ`) are aligned.
        """
        article = pool[position]
        if article.lang == "und":
            return None
        closest = {lang: np.flatnonzero(langs == lang) for lang in set(langs.tolist()) - {"und"}}
        closest = {lang: members[np.argsort(-similarity[members], kind="stable")[: self.candidates]].tolist()
                   for lang, members in closest.items()}

        def sentences_of(article_id: str) -> Sentences:
            if (found := sentences.get(article_id)) is None:
                found = sentences[article_id] = Sentences.of(vectors[article_id])
            return found

        mine = sentences_of(article.id)
        same_language = [mine.single] + [vectors[pool[j].id] for j in closest.pop(article.lang, [])]
        reference = np.vstack(same_language)
        best: tuple[Alignment, int] | None = None
        for found in closest.values():
            near_mine = self.translations.neighbourhood(mine, np.vstack([vectors[pool[j].id] for j in found]))
            margin = self.translations.margin_for(min(len(found), len(same_language)))
            for j in found:
                if numbers_differ(numbers[position], numbers[j]):
                    continue
                theirs = sentences_of(pool[j].id)
                near_theirs = self.translations.neighbourhood(theirs, reference)
                alignment = self.translations.align(mine, theirs, near_mine, near_theirs, margin)
                better = best is None or (alignment.coverage, alignment.strength) > (best[0].coverage, best[0].strength)
                if better and self.translations.accepts(alignment):
                    best = (alignment, j)
        return self._translation_relation(article, pool[best[1]], best[0]) if best else None

    @staticmethod
    def _translation_relation(article: Article, other: Article, alignment: Alignment) -> Relation:
        """``article`` as the translation of the earlier ``other``, unless the texts say the reverse."""
        evidence = original_evidence(other, article)
        original, translation = (article, other) if evidence and evidence[0] == article.id else (other, article)
        note = f"; {evidence[1]}" if evidence else ""
        return Relation("translation", translation.id, original.id, alignment.coverage,
                        f"{alignment.coverage:.0%} of sentences align in order "
                        f"({original.lang}->{translation.lang}){note}")
