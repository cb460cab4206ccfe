"""storyweave: multilingual news articles in, events and storylines out."""

from .models import Article, Document, Event, Rejected, Story

__all__ = ["Article", "Document", "Event", "Pipeline", "Rejected", "RunReport", "Story"]
__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the pipeline (and its stage dependencies) only when it is used."""
    if name in ("Pipeline", "RunReport"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
