"""Named-entity mentions, their types and their cross-lingual identities (no trained model).

Detection: runs of capitalised words, joined across lower-case name connectors ("Banco de
España", "Frank de Boer"); a title or role inside the run is cut off ("Russian President
Vladimir Putin"); a capitalised word opening a sentence counts only with evidence that it
is a name (a gazetteer, the same word capitalised inside a sentence, or a rare word), and
headline-style sentences keep only such words. Scripts without letter case are matched
against the gazetteer's names as written.

Typing, strongest evidence first: a country or language name, an organisation or place word
inside the name ("Banco", "Partij", "S.A.", "Río"), a known place, a role or title before it,
a known first name; then, weaker, an acronym, the type the same name got from strong evidence
elsewhere in the article, an article or a locative preposition before a one-word name ("el
Barcelona", "en Getafe"), a known surname, and the shape of the name (rare words: a person).

Each mention gets a ``key``: countries map to their ISO code through the CLDR names of
every language (Turkije, Turki, Turkey, России -> TR/RU); a surname alone takes the key of
the full name used in the article; other names are folded to ASCII lower case. Spelling
variants across languages (Putin, Poutine, Poetin) are matched by :func:`same_entity`, not
merged in the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import regex as re
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..clean.words import stopwords
from ..dates import calendar_words
from ..models import Mention
from ..text import fold, zipf
from .gazetteer import connectors, country_code, gazetteer, is_place, native_names, person_cues

_TOKEN = re.compile(r"(?:\p{Lu}{1,3}\.){2,}|[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:[-'’&·][\p{L}\p{M}\p{N}]+)*")
_COMPOUND_TAIL = re.compile(r"(?<=^\p{Lu}[\p{L}\p{M}]*)-\p{Ll}")  # "Kremlin-backed": an adjective, no name
_SUFFIX = re.compile(r"(?<=\p{L})['’]\p{Ll}{0,5}$")  # "Putin's", "Rusya'nın": not part of the name
_OPENERS = "“\"‘«(¿¡-–—'[:.!?…"
_COMMON_WORD_ZIPF = 4.0  # a capitalised word this frequent opening a sentence needs other evidence
_NAME_WORD_ZIPF = 4.5  # several words all rarer than this are a person's name
_MAX_CONNECTORS = 2  # "van der", "de la"
_RARE_NAME_ZIPF = 2.5  # a single unknown name this rare, with no article before it, is a surname
_WORD_ZIPF = 3.0  # words before a person's name ("Volksgezondheid Magda Aelvoet") are at least this frequent
_LONGEST_ACRONYM = 4
# Words before a name of one word with no other evidence: an article says organisation (people's
# names take none), a locative preposition says place.
_ARTICLES = {"es": frozenset({"el", "la", "los", "las", "del", "al"}), "it": frozenset({"il", "la", "lo", "del"}),
             "pt": frozenset({"o", "a", "os", "as", "do", "da"}), "fr": frozenset({"le", "la", "les", "du"}),
             "en": frozenset({"the"})}
_LOCATIVES = {"es": frozenset({"en", "desde", "hacia", "hasta"}), "nl": frozenset({"in", "naar", "uit", "te"}),
              "en": frozenset({"in", "from"}), "de": frozenset({"in", "aus", "nach"}), "fr": frozenset({"en"}),
              "pt": frozenset({"em"}), "it": frozenset({"in"}), "id": frozenset({"di", "ke", "dari"})}
_CONJUNCTIONS = frozenset({"y", "e", "i", "and", "en", "und", "et"})
_CLOCK_WORDS = frozenset({"am", "pm", "a.m.", "p.m.", "gmt", "utc", "cet", "cest", "bst", "est", "edt", "cst", "cdt",
                          "mst", "mdt", "pst", "pdt", "ist", "jst", "et", "pt"})
_DEMONYM_ENDINGS = {"nl": ("se", "sche"), "de": ("isch", "ische", "ischen", "ischer")}
_DEMONYM_ZIPF = 3.0  # and an everyday word: "Britse" is one, the surname "Janse" is not
_NOUNS_CAPITALISED = frozenset({"de", "lb"})  # German capitalises every noun
_CAPITALISED_LANGUAGE_NAMES = frozenset({"en", "nl"})  # "Russian", "Engels": adjectives, not names

Kind = str  # "person" | "place" | "org" | "other"


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    folded: str  # for capitalised tokens; others as written


@dataclass(slots=True)
class _Span:
    tokens: list[_Token]
    sentence: int
    cue_before: bool  # a role or title comes right before it ("presidente", "de heer")
    before: str = ""  # the word right before it (folded), if only a space separates them

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


def extract_mentions(sentences: list[str], lang: str) -> list[Mention]:
    """Find named-entity mentions in ``sentences`` and give each a type and a cross-lingual key."""
    tokenised = [_tokens(s) for s in sentences]
    context = _Context(lang, tokenised, sentences)
    spans = [span for index in range(len(sentences)) for span in context.spans(index)]
    names = [fold(span.text) for span in spans]
    kinds = _consistent_kinds(names, [context.kind(span) for span in spans])
    full_names = {s.tokens[-1].folded: name for s, name, k in zip(spans, names, kinds)
                  if k == "person" and len(s.tokens) > 1}
    people = set(full_names.values())
    organisations = gazetteer().organisations
    mentions = []
    for span, name, kind in zip(spans, names, kinds):
        code = country_code(span.text, lang)
        key = f"country:{code}" if code else organisations.get(name) or full_names.get(name, name)
        start, end = span.tokens[0].start, span.tokens[-1].end
        mentions.append(Mention(sentences[span.sentence][start:end], key,
                                "person" if key in people else kind, span.sentence, start, end))
    mentions.extend(_caseless_mentions(sentences))
    return sorted(mentions, key=lambda m: (m.sentence, m.start))


def _tokens(sentence: str) -> list[_Token]:
    """Word tokens with their offsets; an ending after an apostrophe is left out ("Putin's", "Rusya'nın")."""
    tokens = []
    for match in _TOKEN.finditer(sentence):
        text = match.group()
        if "'" in text or "’" in text:
            text = _SUFFIX.sub("", text)
        folded = _fold(text) if text[0].isupper() else text  # only names need the folded form
        tokens.append(_Token(text, match.start(), match.start() + len(text), folded))
    return tokens


_fold = lru_cache(maxsize=65536)(fold)


def _opens_sentence(sentence: str, tokens: list[_Token], i: int) -> bool:
    """Whether token ``i`` is the first of a sentence or of a quotation or bracket."""
    if i == 0:
        return True
    gap = sentence[tokens[i - 1].end:tokens[i].start].strip()
    return bool(gap) and gap[-1] in _OPENERS


def _caseless_mentions(sentences: list[str]) -> Iterator[Mention]:
    """Countries and places written in scripts without case, from the gazetteer."""
    for index, sentence in enumerate(sentences):
        if sentence.isascii():
            continue
        for start, end, value in native_names(sentence):
            key = fold(sentence[start:end]) if value == "place" else f"country:{value}"
            yield Mention(sentence[start:end], key, "place", index, start, end)


class _Context:
    """What one article tells about its words (which are capitalised inside sentences, which
    appear in lower case) and the word lists of its language."""

    def __init__(self, lang: str, tokenised: list[list[_Token]], sentences: list[str]) -> None:
        self.lang = lang
        self.tokenised = tokenised
        self.sentences = sentences
        self.skip = _calendar_and_clock_words(lang)
        self.function_words = stopwords(lang)
        self.cues = person_cues(lang)
        self.connectors = connectors(lang)
        shouting = [sum(_is_acronym(t.text) for t in tokens) >= max(3, len(tokens) // 2) for tokens in tokenised]
        self.headlines = [not shout and _is_title_case(tokens) for tokens, shout in zip(tokenised, shouting)]
        self.capitalised_inside: set[str] = set()
        self.pairs_inside: set[tuple[str, str]] = set()  # "De Morgen" written inside a sentence
        self.lower: set[str] = set()
        for index, tokens in enumerate(tokenised):
            ordinary = not shouting[index] and not self.headlines[index]
            for i, token in enumerate(tokens):
                if not token.text[0].isupper():
                    self.lower.add(token.text)
                elif ordinary and not _opens_sentence(sentences[index], tokens, i):
                    self.capitalised_inside.add(token.text.lower())
                    if i + 1 < len(tokens) and tokens[i + 1].text[0].isupper():
                        self.pairs_inside.add((token.folded, tokens[i + 1].folded))
        self.shouting = shouting
        self.capitals = [[t.text[0].isupper() and not _COMPOUND_TAIL.search(t.text)
                          and (not shout or not _is_acronym(t.text) or self._known(t)
                               or sentence[t.start - 1:t.start] == "(")  # "(EFE)"
                          for t in tokens] for sentence, tokens, shout in zip(sentences, tokenised, shouting)]

    def _known(self, token: _Token) -> bool:
        """Whether an all-capital word in a sentence written in capitals is a name: one capitalised
        elsewhere in the article, a known name, or a short uncommon word (IU, APDHA)."""
        lower = token.text.lower()
        if lower in self.function_words:
            return False
        return lower in self.capitalised_inside or self._listed(token) or len(lower) <= 5 and zipf(lower, self.lang) < 3.0

    def _listed(self, token: _Token) -> bool:
        """Whether the gazetteer knows the word as a country, a place or a person's name."""
        names = gazetteer()
        return (bool(country_code(token.text, self.lang)) or is_place(token.folded, self.lang)
                or token.folded in names.surnames or token.folded in names.first_names)

    def spans(self, index: int) -> Iterator[_Span]:
        """The name spans of one sentence."""
        tokens, capitals, sentence = self.tokenised[index], self.capitals[index], self.sentences[index]
        i = 0
        while i < len(tokens):
            if not capitals[i]:
                i += 1
                continue
            j = i + 1
            while j < len(tokens) and _adjacent(sentence, tokens[j - 1], tokens[j]):
                if self.shouting[index] and _is_acronym(tokens[j - 1].text) != _is_acronym(tokens[j].text):
                    break  # a headline in capitals, then the dateline: "PLAN DE AZNAR Madrid (EFE)"
                if capitals[j]:
                    j += 1
                    continue
                k = j
                while k < len(tokens) and k - j < _MAX_CONNECTORS and tokens[k].text in self.connectors \
                        and _adjacent(sentence, tokens[k - 1], tokens[k]):
                    k += 1
                if k == j or k >= len(tokens) or not capitals[k] or not _adjacent(sentence, tokens[k - 1], tokens[k]) \
                        or tokens[k].folded in self.skip or not self._joins(tokens[i:j], tokens[j:k], tokens[k]):
                    break
                j = k + 1
            whole_sentence = i == 0 and j == len(tokens) and j > 1  # a byline or a name alone: "De Morgen"
            opening = _opens_sentence(sentence, tokens, i) and not whole_sentence
            before = tokens[i - 1] if i and _adjacent(sentence, tokens[i - 1], tokens[i]) else None
            yield from self._names(tokens[i:j], index, opening, before)
            i = j

    def _joins(self, left: list[_Token], between: list[_Token], right: _Token) -> bool:
        """Whether the connectors ``between`` continue the name ``left`` (after its titles) with ``right``:
        particles after first names ("Burgemeester Jan de Vries"), any after an institution's or place's
        head word ("Banco de España", "Ministerio de Trabajo y Asuntos Sociales"), but "and" not before
        a country ("el Banco de España y Portugal")."""
        names = gazetteer()
        if any(t.text in _CONJUNCTIONS for t in between) and country_code(right.text, self.lang):
            return False
        cues = [i for i, t in enumerate(left) if t.folded in self.cues]
        left = left[cues[-1] + 1:] if cues else left
        if any(t.folded in names.org_words or t.folded in names.place_words for t in left):
            return True
        return bool(left) and all(t.folded in names.first_names for t in left) and all(
            t.text in names.particles for t in between)

    def _names(self, run: list[_Token], index: int, opening: bool, before: _Token | None) -> Iterator[_Span]:
        """The names in one run: unproven sentence-initial or headline words dropped, titles cut off,
        split before a first name that starts a new name."""
        if self.headlines[index]:
            run = [t for t in run if t.text.lower() in self.capitalised_inside or not self._common(t.text)]
        elif opening and run and not self._proven(run):
            run = run[1:]
        cue_before = before is not None and _fold(before.text) in self.cues
        for i in range(len(run) - 2, -1, -1):
            if run[i].folded in self.cues and run[i + 1].text[0].isupper():
                run, cue_before = run[i + 1:], True
                break
        for part in _split_names(run, self.lang):
            part = _trim_connectors(part)
            while len(part) > 1 and (self._date_word(part[0]) or self._word_before_known(part)):
                part = part[1:]  # a date or a capitalised function word before a name: "Januari Dewan", "To NATO"
            if part and any(t.folded not in self.skip for t in part) and (len(part) > 1 or self._single_name(part[0], before)):
                first = part[0] is run[0]
                yield _Span(part, index, cue_before and first, _fold(before.text) if first and before else "")

    def _word_before_known(self, part: list[_Token]) -> bool:
        """A function word opening a span that is no known name, before a country or a major organisation
        ("To NATO"; "El Salvador" is a name whole)."""
        return part[0].text.lower() in self.function_words and not _known_name(part, self.lang) \
            and _known_name(part[1:], self.lang)

    def _date_word(self, token: _Token) -> bool:
        """A month or weekday name written out that is not also a first name (Julio, Domingo)."""
        return token.folded in calendar_words(self.lang) and token.folded not in gazetteer().first_names

    def _single_name(self, token: _Token, before: _Token | None) -> bool:
        """Whether one capitalised word is a name: not a title, not the second word of a calendar
        phrase ("hari Minggu"), not a capitalised everyday noun of German."""
        if len(token.text) < 2 or token.folded in self.cues:
            return False
        if before is not None and f"{_fold(before.text)} {token.folded}" in self.skip:
            return False
        return self.lang not in _NOUNS_CAPITALISED or not self._common(token.text) or self._listed(token)

    def _common(self, word: str) -> bool:
        return zipf(word.lower(), self.lang) >= _COMMON_WORD_ZIPF

    def _proven(self, run: list[_Token]) -> bool:
        """Whether a capitalised word opening a sentence is a name, not just a capitalised word."""
        word, folded = run[0].text, run[0].folded
        if len(run) > 1 and (folded, run[1].folded) in self.pairs_inside:
            return True
        lower = word.lower()
        if lower in self.function_words or folded in self.skip:
            return False
        if lower in self.capitalised_inside or country_code(word, self.lang) or _is_acronym(word):
            return True
        if lower in self.lower and self._common(word):
            return False
        names = gazetteer()
        return not self._common(word) or is_place(folded, self.lang) or folded in names.first_names

    def kind(self, span: _Span) -> tuple[Kind, bool]:
        """The type of one span from the strongest evidence it has, and whether that evidence
        is a gazetteer or a cue (strong) rather than the name's shape (weak)."""
        names = gazetteer()
        folded = [t.folded for t in span.tokens]
        whole = " ".join(folded)
        if country_code(span.text, self.lang):
            return "place", True
        if whole in names.organisations:  # NATO, OTAN, Atlantic Alliance
            return "org", True
        if len(folded) == 1 and (_demonym(span.text, self.lang) or self.lang in _CAPITALISED_LANGUAGE_NAMES
                                 and whole in names.languages):
            return "other", True
        if any(w in names.org_words for w in folded):
            return "org", True
        if any(w in names.place_words for w in folded):
            return "place", True
        acronym = all(_is_acronym(t.text) for t in span.tokens)
        if acronym and len(whole) <= _LONGEST_ACRONYM:  # OEA, IU: not the place codes GeoNames lists
            return "org", False
        if is_place(whole, self.lang) and not span.cue_before:
            return "place", True
        if span.cue_before or len(folded) > 1 and folded[0] in names.first_names:
            return "person", True
        if acronym or span.before in _ARTICLES.get(self.lang, ()):  # "el Barcelona", "la OEA"
            return "org", False
        if len(folded) == 1 and span.before in _LOCATIVES.get(self.lang, ()):
            return "place", False
        return _kind_by_shape(tuple(folded), self.lang), False


def _known_name(tokens: list[_Token], lang: str) -> bool:
    """Whether the gazetteer knows these words as a country or a major organisation (places are left
    out: "Las Ventas", "Van Diepenbeek" hold one)."""
    return bool(country_code(" ".join(t.text for t in tokens), lang)) or \
        " ".join(t.folded for t in tokens) in gazetteer().organisations


def _split_names(run: list[_Token], lang: str) -> list[list[_Token]]:
    """One run may hold several names: a nationality adjective before a name ("Britse Concorde"),
    a word before a first name that opens a person's name ("Volksgezondheid Magda Aelvoet"), a
    dateline's place after a byline's name ("Juana González Linares Madrid")."""
    names = gazetteer()
    if len(run) > 1 and country_code(run[0].text, lang) and run[1].folded in names.first_names:
        return [run[:1], *_split_names(run[1:], lang)]  # "России Владимир Путин"
    if len(run) > 1 and _demonym(run[0].text, lang) and zipf(run[1].folded, lang) < _COMMON_WORD_ZIPF \
            and not any(t.folded in names.org_words for t in run):
        return [run[:1], *_split_names(run[1:], lang)]
    first_name = next((i for i, t in enumerate(run[:-1]) if t.folded in names.first_names), None)
    if first_name and zipf(run[first_name].folded, lang) < _NAME_WORD_ZIPF \
            and all(zipf(t.folded, lang) >= _WORD_ZIPF for t in run[:first_name]):
        return [run[:first_name], *_split_names(run[first_name:], lang)]
    if first_name == 0 and len(run) >= 3 and run[-1].folded in names.places and run[-1].folded not in names.surnames:
        return [run[:-1], run[-1:]]
    return [run]


def _demonym(word: str, lang: str) -> bool:
    """A capitalised nationality adjective of a language that capitalises them ("Britse", "Belgische")."""
    endings = _DEMONYM_ENDINGS.get(lang)
    return bool(endings) and word.lower().endswith(endings) and zipf(word.lower(), lang) >= _DEMONYM_ZIPF


@lru_cache(maxsize=64)
def _calendar_and_clock_words(lang: str) -> frozenset[str]:
    """Weekday and month names with their three-letter forms ("MON", "JUL"), and clock words ("PM", "EDT")."""
    calendar = calendar_words(lang)
    return calendar | {w[:3] for w in calendar if len(w) > 3} | _CLOCK_WORDS


@lru_cache(maxsize=65536)
def _kind_by_shape(folded: tuple[str, ...], lang: str) -> Kind:
    """Without other evidence: a known surname or several rare words are a person, several
    everyday words an organisation ("Tribunal Supremo"), a single unknown word an organisation."""
    names = gazetteer()
    if folded[-1] in names.surnames or len(folded) == 1 and folded[0] in names.first_names:
        return "person"
    if len(folded) > 1 and all(zipf(w, lang) < _NAME_WORD_ZIPF for w in folded if w not in connectors(lang)):
        return "person"
    if len(folded) == 1 and zipf(folded[0], lang) < _RARE_NAME_ZIPF:
        return "person"
    return "org"


def _consistent_kinds(names: list[str], kinds: list[tuple[Kind, bool]]) -> list[Kind]:
    """A name (folded) typed by its shape alone takes the type that strong evidence gave it elsewhere
    in the article."""
    proven = {name: kind for name, (kind, strong) in zip(names, kinds) if strong}
    return [kind if strong else proven.get(name, kind) for name, (kind, strong) in zip(names, kinds)]


def _trim_connectors(run: list[_Token]) -> list[_Token]:
    while run and not run[0].text[0].isupper():
        run = run[1:]
    while run and not run[-1].text[0].isupper():
        run = run[:-1]
    return run


def _adjacent(sentence: str, a: _Token, b: _Token) -> bool:
    """Only spaces between two tokens."""
    gap = sentence[a.end:b.start]
    return gap.isspace() or gap == ""


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isupper()


def _is_title_case(tokens: list[_Token]) -> bool:
    """Headline style ("Turkey Tells Russia to Drop Demands"): capitals say nothing there."""
    alphabetic = [t.text for t in tokens if t.text[0].isalpha() and not _is_acronym(t.text)]
    lower_content_words = [w for w in alphabetic if len(w) >= 4 and w[0].islower()]
    return not lower_content_words and sum(w[0].isupper() for w in alphabetic) >= 3


SAME_SURNAME = 0.65  # Levenshtein similarity of two last words that may spell one name


def same_entity(a: str, b: str) -> bool:
    """Whether two keys name one entity across spellings (Putin / Poutine / Poetin)."""
    if a == b:
        return True
    if a.startswith("country:") or b.startswith("country:"):
        return False
    ta, tb = a.split(), b.split()
    if len(ta) > 1 and len(tb) > 1 and ta[0] != tb[0]:
        return False
    last_a, last_b = ta[-1], tb[-1]
    if min(len(last_a), len(last_b)) < 4 or last_a[0] != last_b[0]:
        return False
    return Levenshtein.normalized_similarity(last_a, last_b) >= SAME_SURNAME


class SpellingVariants:
    """Which keys of a changing set :func:`same_entity` joins (each key's variants among the others), kept
    between updates: a key is compared once, when it comes, with the keys there then (those whose last
    words are alike: compared in rapidfuzz's ``cdist`` among the last words of one initial; of those
    only the keys of one word, or of the same first word), and forgotten when it leaves. So an update
    costs what its new keys cost, not all pairs of keys."""

    def __init__(self) -> None:
        self.variants: dict[str, set[str]] = {}
        self._keys_by_last: dict[str, dict[str, set[str]]] = {}  # last word -> first word ("": one word) -> keys
        self._lasts_by_initial: dict[str, dict[str, None]] = {}  # initial -> the last words of _keys_by_last

    def update(self, added: Iterable[str], removed: Iterable[str] = ()) -> None:
        """Forget the keys ``removed``, then compare those ``added`` (new to the set) with the keys there."""
        for key in removed:
            for variant in self.variants.pop(key):
                self.variants[variant].discard(key)
            if (parts := self._parts(key)) is not None:
                firsts = self._keys_by_last[parts[1]]
                firsts[parts[0]].discard(key)
                if not firsts[parts[0]]:
                    del firsts[parts[0]]
                if not firsts:
                    del self._keys_by_last[parts[1]]
                    del self._lasts_by_initial[parts[1][0]][parts[1]]
        new: dict[str, list[tuple[str, str]]] = {}  # last word -> (first word, key) of the new keys
        for key in sorted(added):
            self.variants[key] = set()
            if (parts := self._parts(key)) is not None:
                self._keys_by_last.setdefault(parts[1], {}).setdefault(parts[0], set()).add(key)
                self._lasts_by_initial.setdefault(parts[1][0], {})[parts[1]] = None
                new.setdefault(parts[1], []).append((parts[0], key))
        fresh_of: dict[str, list[str]] = {}
        for last in new:
            fresh_of.setdefault(last[0], []).append(last)
        for initial, fresh in fresh_of.items():
            pool = list(self._lasts_by_initial[initial])
            # a little below the bar, so that no rounding of cdist's drops a pair same_entity then confirms
            alike = process.cdist(fresh, pool, scorer=Levenshtein.normalized_similarity,
                                  score_cutoff=SAME_SURNAME - 1e-6)
            for a, b in zip(*np.nonzero(alike)):
                firsts = self._keys_by_last[pool[b]]
                for first, key in new[fresh[a]]:
                    others = chain.from_iterable(firsts.values()) if not first else \
                        chain(firsts.get("", ()), firsts.get(first, ()))
                    for other in others:
                        if other != key and same_entity(key, other):
                            self.variants[key].add(other)
                            self.variants[other].add(key)

    @staticmethod
    def _parts(key: str) -> tuple[str, str] | None:
        """(first word, "" for a key of one word; last word) of a key whose last word may be spelled another way."""
        words = key.split()
        if key.startswith("country:") or len(words[-1]) < 4:
            return None
        return (words[0] if len(words) > 1 else ""), words[-1]


def salience(key: str, lang: str = "en") -> float:
    """How much sharing this entity says about two texts: rare names count more than countries.

    Rarity is the word frequency of the name's last word in English or the article's
    language, whichever is higher (so a local spelling is not mistaken for a rare name).
    """
    if key.startswith("country:"):
        return 0.5
    return min(4.0, max(0.5, 6.0 - zipf(key.split()[-1], lang)))
