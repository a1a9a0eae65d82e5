"""FAQ suggestion quality (webcare/knowledge/quality.py), as a section of docs/quality.md (`webcare eval faq`)."""

from webcare.knowledge.quality import evaluate

__all__ = ["evaluate"]
