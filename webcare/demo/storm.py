"""A storm for the demo: many customers writing about one outage at once, on several channels, in four languages.

Why through ``receive()``: the storm then takes the path every platform delivery takes — an ``InboundEvent`` stored,
the worker's triage, routing, tickets, the live inbox — and the incident watcher finds it exactly as it would find a
real one. With ``webcare serve`` running, the incident appears within a minute or two of the storm's first messages.

:func:`storm_messages` is pure (the texts, authors, channels and times, varied by a seed); :func:`inject` delivers
them, either paced over real minutes (the demo story: watch it build up) or at once with send times spread over the
minutes just gone (tests, a quick look).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.utils import timezone

from webcare.core.models import Channel, Organisation

#: Channel kinds the storm uses, with whether their conversations are public, in the order of preference.
CHANNEL_KINDS: Final = (("x", True), ("facebook", True), ("email", False), ("whatsapp", False), ("telegram", False),
                        ("webchat", False), ("instagram", True), ("api", False))

#: The outage, in each language: openings, the problem (with the place and the router's error code — what a person
#: would mention, and what the detector's salient terms pick up), and a closing question. Combined at random, so no
#: two messages need be the same.
PHRASES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "nb": {
        "open": ("Hei!", "Hallo,", "Hei Fjordnett.", "Seriøst?", ""),
        "problem": ("Internett er nede i Bergen sentrum, ruteren blinker rødt med feilkode E431.",
                    "Fibernettet i Bergen har vært borte en stund nå, og ruteren viser E431.",
                    "Ingen internett her i Bergen, feil E431 på ruteren.",
                    "Nettet i Bergen er dødt, E431 på ruteren igjen.",
                    "Fiberen er nede i hele Bergen? Ruteren min sier E431."),
        "ask": ("Når er det fikset?", "Hva skjer?", "Jobber dere med det?", "Jeg jobber hjemmefra og trenger nettet!",
                ""),
    },
    "sv": {
        "open": ("Hej!", "Hallå,", "Hej Fjordnett.", ""),
        "problem": ("Internet ligger nere i Bergen, routern blinkar rött med felkod E431.",
                    "Fibern i Bergen är borta sedan en stund, routern visar E431.",
                    "Inget internet i Bergen, felkod E431 på routern.",
                    "Nätet i Bergen är nere, E431 på routern."),
        "ask": ("När är det lagat?", "Vad händer?", "Jobbar ni på det?", ""),
    },
    "da": {
        "open": ("Hej!", "Hej Fjordnett.", "Hallo,", ""),
        "problem": ("Internettet er nede i Bergen, routeren blinker rødt med fejlkode E431.",
                    "Fibernettet i Bergen har været væk et stykke tid, routeren viser E431.",
                    "Intet internet i Bergen, fejl E431 på routeren.",
                    "Nettet er nede i Bergen, E431 på routeren."),
        "ask": ("Hvornår er det løst?", "Hvad sker der?", "Arbejder I på det?", ""),
    },
    "en": {
        "open": ("Hi,", "Hello Fjordnett,", "Hey!", ""),
        "problem": ("The internet is down in Bergen, my router blinks red with error code E431.",
                    "Fibre in Bergen has been gone for a while now, router shows E431.",
                    "No internet in Bergen, error E431 on the router.",
                    "Connection is dead in Bergen, E431 on the router again."),
        "ask": ("When will it be fixed?", "What's going on?", "Are you working on it?", ""),
    },
}

FIRST_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "nb": ("Ingrid", "Ola", "Kari", "Jonas", "Sigrid", "Magnus", "Nora", "Eirik", "Hanne", "Lars", "Silje", "Trond"),
    "sv": ("Elsa", "Johan", "Maja", "Erik", "Linnea", "Oskar", "Astrid", "Nils"),
    "da": ("Freja", "Mads", "Ida", "Rasmus", "Sofie", "Anders", "Karen", "Mikkel"),
    "en": ("Emily", "James", "Olivia", "Tom", "Grace", "Daniel", "Sarah", "Ben"),
}
LAST_NAMES: Final = ("Berg", "Hansen", "Lund", "Dahl", "Nilsen", "Holm", "Strand", "Larsen", "Moe", "Vik", "Brun")
#: Share of the storm in each language: most of the brand's customers are Norwegian.
LANGUAGE_WEIGHTS: Final = (("nb", 0.5), ("sv", 0.2), ("da", 0.15), ("en", 0.15))


@dataclass(frozen=True)
class StormMessage:
    channel_kind: str
    public: bool
    language: str
    payload: dict[str, Any]  #: webcare's own message format (webcare/ingest/schema.py MessageIn)


def _text(rng: random.Random, language: str) -> str:
    words = PHRASES[language]
    parts = [rng.choice(words["open"]), rng.choice(words["problem"]), rng.choice(words["ask"])]
    return " ".join(part for part in parts if part)


def storm_messages(kinds: list[tuple[str, bool]], now: datetime, *, count: int = 40, minutes: float = 3.0,
                   seed: int = 31, stamp: str = "") -> list[StormMessage]:
    """``count`` messages about one outage over ``minutes`` ending at ``now`` (oldest first), spread over the
    channel kinds given (``(kind, public)``), each from a different customer in their own conversation."""
    if not kinds:
        raise ValueError("the storm needs at least one channel")
    if count < 1 or minutes <= 0:
        raise ValueError("count must be at least 1 and minutes positive")
    rng = random.Random(seed)
    stamp = stamp or now.strftime("%Y%m%d%H%M%S")
    languages = [code for code, _ in LANGUAGE_WEIGHTS]
    weights = [weight for _, weight in LANGUAGE_WEIGHTS]
    # Arrivals grow faster towards the end, as a real storm does once word spreads.
    offsets = sorted(minutes * (rng.random() ** 0.7) for _ in range(count))
    start = now - timedelta(minutes=minutes)
    messages = []
    for n, offset in enumerate(offsets):
        kind, public = kinds[n % len(kinds)]
        language = rng.choices(languages, weights)[0]
        first = rng.choice(FIRST_NAMES[language])
        name = f"{first} {rng.choice(LAST_NAMES)}"
        author = f"storm-{stamp}-{n:03d}"
        handle = f"{first.lower()}{n:03d}@example.net" if kind == "email" else f"@{first.lower()}_{n:03d}"
        payload: dict[str, Any] = {
            "message_id": f"storm-{stamp}-{n:03d}",
            "conversation_id": f"storm-{stamp}-{kind}-{n:03d}",
            "conversation_kind": "public" if public else "private",
            "author": {"id": handle if kind == "email" else author, "handle": handle, "name": name},
            "text": _text(rng, language),
            "sent_at": (start + timedelta(minutes=offset)).isoformat(),
        }
        if kind == "email":
            payload["subject"] = {"nb": "Internett nede", "sv": "Internet nere", "da": "Internet nede",
                                  "en": "Internet down"}[language]
        messages.append(StormMessage(kind, public, language, payload))
    return messages


def channels_for(organisation: Organisation) -> list[tuple[Channel, bool]]:
    """The organisation's active channels the storm arrives on (up to four kinds, public ones first)."""
    found: list[tuple[Channel, bool]] = []
    for kind, public in CHANNEL_KINDS:
        channel = Channel.objects.filter(organisation=organisation, kind=kind, is_active=True).order_by("pk").first()
        if channel is not None:
            found.append((channel, public))
        if len(found) == 4:
            break
    if not found:
        raise ValueError(f"organisation {organisation.slug!r} has no active channel to deliver a storm to")
    return found


def inject(organisation: Organisation, *, count: int = 40, minutes: float = 3.0, paced: bool = True,
           seed: int = 31, now: datetime | None = None,
           progress: Callable[[int, StormMessage], None] | None = None,
           sleep: Callable[[float], None] = time.sleep) -> int:
    """Deliver a storm through ``receive()`` (the worker stores it like any delivery). ``paced``: over ``minutes`` of
    real time, each message sent when it is delivered; else at once, with send times over the last ``minutes``.
    Returns how many events were stored."""
    from webcare.ingest.models import EventSource
    from webcare.ingest.receive import receive

    channels = channels_for(organisation)
    start = now or timezone.now()
    planned_end = start + timedelta(minutes=minutes) if paced else start
    messages = storm_messages([(c.kind, public) for c, public in channels], planned_end, count=count,
                              minutes=minutes, seed=seed, stamp=start.strftime("%Y%m%d%H%M%S"))
    by_kind = {channel.kind: channel for channel, _ in channels}
    stored = 0
    for n, message in enumerate(messages):
        payload = dict(message.payload)
        if paced:
            due = datetime.fromisoformat(payload["sent_at"])
            wait = (due - timezone.now()).total_seconds()
            if wait > 0:
                sleep(wait)
            payload["sent_at"] = timezone.now().isoformat()
        _, created = receive(by_kind[message.channel_kind], payload, source=EventSource.API,
                             external_id=payload["message_id"])
        stored += int(created)
        if progress is not None:
            progress(n, message)
    return stored
