"""The store's entity tables as :class:`~storyweave.entities.registry.Registry` reads them while it
links one batch.

Linking compares each key of a batch with the keys of its events and with keys spelled alike,
so the same keys are read again and again: every key of an event once for each other key of
the event. Once a batch's keys and sightings are written, what linking reads of a key does not
change (its surface forms, their languages), and what it reads of an entity (its keys) changes
only by the merges made through this view; so each is read from the store once per batch, and
merges update it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..store import Store

COUNTRY = "country:"  # the key of a country (CLDR code): "country:RU"


class LinkingView:
    """Reads of the entity tables for one batch's linking, answered as the store answers them;
    the other reads and the writes go to the store (see the module docstring)."""

    def __init__(self, store: Store):
        self.store = store
        self._entity_of: dict[str, int] = {}
        self._absent: set[str] = set()  # keys read and not in the registry
        self._form: dict[str, tuple[int, str, str]] = {}  # key -> (its fewest mentions, most mentioned text, kind)
        self._languages: dict[str, set[str]] = {}  # key -> languages of its surface forms
        self._keys: dict[int, list[str]] = {}  # entity -> all its keys
        self._written: dict[tuple[frozenset[str], str], frozenset[str]] = {}  # see keys_written_in

    def __getattr__(self, name: str):
        """Any other read or write, made on the store itself (current: merges are written through)."""
        return getattr(self.store, name)

    # -- keys -----------------------------------------------------------------------------

    def entity_of_keys(self, keys: Iterable[str]) -> dict[str, int]:
        keys = list(keys)
        missing = [k for k in keys if k not in self._entity_of and k not in self._absent]
        if missing:
            found = self.store.entity_of_keys(missing)
            self._entity_of.update(found)
            self._absent.update(k for k in missing if k not in found)
        return {k: self._entity_of[k] for k in keys if k in self._entity_of}

    def _read_forms(self, keys: Iterable[str]) -> None:
        """Read the surface forms of those ``keys`` not read yet."""
        missing = [k for k in keys if k not in self._languages]
        if not missing:
            return
        rows: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
        for key, lang, text, kind, mentions in self.store.entity_alias_rows(missing):
            rows[key].append((mentions, lang, text, kind))
        for key in missing:
            self._languages[key] = {lang for _, lang, _, _ in rows[key]}
            if rows[key]:
                _, _, text, kind = max(rows[key])  # the most mentioned form; a tie goes to the last in (lang, text, kind)
                self._form[key] = (min(rows[key])[0], text, kind)

    def entity_candidates(self, key: str, blocks: tuple[str, str] | None, also: Iterable[str],
                          limit: int) -> dict[str, tuple[int, str, str]]:
        """As :meth:`Store.entity_candidates`: keys with surface forms, by their fewest mentions then key (the
        store orders each chunk of 500 keys apart; the order breaks ties only)."""
        keys = self.store.candidate_keys(key, blocks, also, limit)
        self._read_forms(keys)
        entities, form = self.entity_of_keys(keys), self._form
        ordered = sorted((form[k][0], k) for k in keys if k in form and k in entities)
        return {k: (entities[k], form[k][1], form[k][2]) for _, k in ordered}

    def key_languages(self, keys: list[str]) -> dict[str, set[str]]:
        self._read_forms(keys)
        return defaultdict(set, {k: set(self._languages[k]) for k in keys if self._languages[k]})

    def keys_written_in(self, keys: Iterable[str], lang: str) -> frozenset[str]:
        """Those of ``keys`` with a surface form in ``lang`` (kept for the batch: the keys of one event are
        asked for again and again, and a key's forms do not change while the batch links)."""
        keys = frozenset(keys)
        if (found := self._written.get((keys, lang))) is None:
            self._read_forms(sorted(keys))
            found = self._written[keys, lang] = frozenset(k for k in keys if lang in self._languages[k])
        return found

    def new_entity(self, key: str, block: str, prefix: str) -> int:
        entity = self.store.new_entity(key, block, prefix)
        self._absent.discard(key)
        self._entity_of[key] = entity
        self._keys[entity] = [key]
        return entity

    # -- entities ---------------------------------------------------------------------------

    def _keys_of(self, entity_ids: Iterable[int]) -> dict[int, list[str]]:
        entity_ids = list(entity_ids)
        missing = [e for e in entity_ids if e not in self._keys]
        if missing:
            found = self.store.keys_of_entities(missing)
            self._keys.update((e, found.get(e, [])) for e in missing)
        return {e: self._keys[e] for e in entity_ids}

    def entity_key_languages(self, entity_ids: Iterable[int]) -> dict[int, dict[str, set[str]]]:
        found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for entity, keys in self._keys_of(entity_ids).items():
            self._read_forms(keys)
            for key in keys:
                if self._languages[key]:
                    found[entity][key] = set(self._languages[key])
        return found

    def entity_key_counts(self, entity_ids: Iterable[int]) -> dict[int, int]:
        counts = {e: sum(not k.startswith(COUNTRY) for k in keys) for e, keys in self._keys_of(entity_ids).items()}
        return {e: n for e, n in counts.items() if n}

    def merge_entities(self, entity_id: int, into_id: int, reason: str, evidence: str) -> int:
        moved = self._keys_of([entity_id, into_id])
        self._keys[into_id] = moved[into_id] + moved[entity_id]
        self._keys[entity_id] = []
        self._entity_of.update(dict.fromkeys(moved[entity_id], into_id))
        return self.store.merge_entities(entity_id, into_id, reason, evidence)
