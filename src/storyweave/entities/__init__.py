"""Who is involved: named-entity mentions in article text and their cross-lingual identities.

- :mod:`.mentions`: mention spans, their type and a cross-lingual key per mention.
"""

from .mentions import SpellingVariants, extract_mentions, salience, same_entity

__all__ = ["SpellingVariants", "extract_mentions", "salience", "same_entity"]
