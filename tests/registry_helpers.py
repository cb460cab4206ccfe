"""Articles of named mentions fed to an entity registry, for the registry's tests."""

from storyweave.entities.registry import Registry
from storyweave.models import Article, Mention
from storyweave.text import fold


def named_article(aid: str, lang: str, event: str, names: list[tuple[str, str]], key=fold) -> Article:
    """An article of ``event`` mentioning (text, kind) pairs, keyed as extract_mentions keys new names."""
    return Article(id=aid, source=f"{aid}.txt", title=aid, body=aid, lang=lang, event_id=event,
                   mentions=[Mention(text, key(text), kind, 0) for text, kind in names])


def add(registry: Registry, *articles: Article):
    """The registry's merges after adding ``articles`` in one transaction."""
    with registry.store.transaction():
        return registry.add(articles)


def entity_of(registry: Registry, text: str) -> dict:
    """The described entity that has ``text`` among its aliases."""
    return next(r for r in registry.describe() if any(text in t for t in r["aliases"].values()))
