"""The choir detector: a streaming grouping of similar inbound messages across channels and languages, with a
per-topic baseline, that says when a group grows abnormally fast (an incident).

Pure and in memory — no database, no Django. The incidents app feeds it `Observation`s in time order and reads back
`Placement`s and `GroupView`s::

    detector = ChoirDetector(ChoirConfig(), embedder=e5_embedder())   # embedder=None: no cross-language joining
    placement = detector.observe(Observation(message_id=1, at=..., text=redacted, language="nb", channel="x"))
    if placement.started:
        view = detector.group(placement.group_id)       # terms for a title, message ids to link
    detector.advance(now)                               # expire the window when no message arrives

`salient_terms(text, language)` is the detector's own notion of "what a message is about" (error codes, flight
numbers, product names, places, content words stemmed), shared with the topics view.
"""

from webcare.incidents.choir.detector import ChoirDetector
from webcare.incidents.choir.embed import E5Embedder, e5_embedder
from webcare.incidents.choir.terms import salient_terms
from webcare.incidents.choir.types import ChoirConfig, Embedder, GroupView, Observation, Placement

__all__ = [
    "ChoirConfig",
    "ChoirDetector",
    "E5Embedder",
    "Embedder",
    "GroupView",
    "Observation",
    "Placement",
    "e5_embedder",
    "salient_terms",
]
