"""storyweave: multilingual news articles in, events and storylines out."""

from .models import Article, Document, Event, Rejected, Story
from .pipeline import Pipeline, RunReport

__all__ = ["Article", "Document", "Event", "Pipeline", "Rejected", "RunReport", "Story"]
__version__ = "0.1.0"
