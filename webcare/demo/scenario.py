"""The Fjordnett demo: two weeks of a Nordic/Dutch telecom's customer service, ready for the demo loader.

Why: a newcomer judges webcare by its first screen, so the demo must look like a real desk, not like fixtures. The
conversations are written by hand in ``webcare.demo.content``; this module only dresses them up for a given moment:
who the customers are (names, handles, phone numbers), when each message was sent (spread over the 14 days before
``now``, busier in the day than at night, replies only when the desk is staffed), which agent answered, which ids the
platforms gave, and how each ticket stands. It is pure standard library and deterministic for a given ``now`` and
``seed``, so it can be tested without Django and the loader can rebuild the same demo at any time.

The output follows webcare's JSONL import format (see ``webcare.ingest.schema.MessageIn``) plus three fields the demo
loader consumes itself: ``channel`` (which channel slug to import into), ``customer_key`` (links one person's
identities across channels) and ``language`` (the language the text was written in, as ground truth).
"""

from __future__ import annotations

import copy
import math
import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from webcare.demo.content import all_conversations
from webcare.demo.content.base import PRIVATE_ONLY, Convo, Line
from webcare.demo.content.names import INTL_ORIGINS, POOLS, pool_for

__all__ = ["AGENTS", "CANNED_RESPONSES", "CHANNELS", "ORGANISATION", "SAVED_SEARCHES", "TEAMS", "Scenario",
           "build_scenario", "outage_start"]

#: How far back the demo reaches.
SPAN = timedelta(days=14)
#: Solved tickets whose last message is older than this are usually closed already.
CLOSE_AFTER = timedelta(days=4)

ORGANISATION: dict[str, Any] = {
    "slug": "fjordnett",
    "name": "Fjordnett",
    "languages": ["nb", "nn", "da", "sv", "fi", "nl", "en"],
}

TEAMS: list[dict[str, Any]] = [
    {"slug": "customer-service", "name": "Customer service", "signature": "first_name"},
    {"slug": "social", "name": "Social media", "signature": "first_name"},
    {"slug": "sales-marketing", "name": "Sales & marketing", "signature": "first_name"},
]


def _agent(username: str, first: str, last: str, role: str, teams: list[str], languages: list[str]) -> dict[str, Any]:
    return {
        "username": username,
        "first_name": first,
        "last_name": last,
        "email": f"{username}@fjordnett.example",
        "role": role,
        "teams": teams,
        "languages": languages,
    }


AGENTS: list[dict[str, Any]] = [
    _agent("kari", "Kari", "Solheim", "agent", ["customer-service", "social"], ["nb", "nn", "en"]),
    _agent("tom", "Tom", "Eriksen", "agent", ["customer-service"], ["nb", "en"]),
    _agent("ingrid", "Ingrid", "Myklebust", "agent", ["customer-service"], ["nn", "nb"]),
    _agent("jonas", "Jonas", "Bakke", "agent", ["customer-service", "social"], ["nb", "en"]),
    _agent("mette", "Mette", "Kjær", "agent", ["customer-service"], ["da", "nb"]),
    _agent("rasmus", "Rasmus", "Vestergaard", "agent", ["customer-service", "social"], ["da", "en"]),
    _agent("johan", "Johan", "Lindqvist", "agent", ["customer-service"], ["sv", "en"]),
    _agent("elin", "Elin", "Sandberg", "agent", ["customer-service", "social"], ["sv", "nb"]),
    _agent("aino", "Aino", "Korhonen", "agent", ["customer-service", "social"], ["fi", "sv", "en"]),
    _agent("sanne", "Sanne", "de Vries", "agent", ["customer-service", "social"], ["nl", "en"]),
    _agent("daan", "Daan", "Bakker", "agent", ["customer-service"], ["nl", "en"]),
    _agent("lars", "Lars", "Kristiansen", "supervisor", ["customer-service", "social"], ["nb", "da", "en"]),
    _agent("silje", "Silje", "Strand", "agent", ["sales-marketing"], ["nb", "sv", "en"]),
    _agent("nanna", "Nanna", "Holm", "agent", ["sales-marketing"], ["da", "en"]),
    _agent("ruben", "Ruben", "Janssen", "agent", ["sales-marketing"], ["nl", "en"]),
    _agent("mikko", "Mikko", "Laine", "agent", ["sales-marketing"], ["fi", "sv", "en"]),
    _agent("marte", "Marte", "Lie", "admin", ["customer-service", "social", "sales-marketing"], ["nb", "en"]),
    _agent("henrik", "Henrik", "Aas", "analyst", [], ["nb", "en"]),
]

_AGENTS_BY_USERNAME: dict[str, dict[str, Any]] = {agent["username"]: agent for agent in AGENTS}

#: Canned responses the desk has written (see webcare.replies): starting points the agent edits, signed on sending.
#: Searches the supervisor shares with the desk, and one of Kari's own (see docs/inbox.md for the query language).
SAVED_SEARCHES: list[dict[str, Any]] = [
    {"owner": "lars", "name": "Outage Bergen", "query": "label:outage-bergen", "shared": True},
    {"owner": "lars", "name": "Urgent, nobody on it", "query": "priority:urgent assignee:none", "shared": True},
    {"owner": "kari", "name": "Billing on social", "shared": False,
     "query": "label:billing channel:facebook channel:instagram channel:x"},
]

CANNED_RESPONSES: list[dict[str, Any]] = [
    {"title": "Driftsforstyrrelse", "language": "nb", "team": "",
     "body": "Hei {customer_first_name}! Beklager at nettet ikke virker som det skal. Vi har en driftsforstyrrelse "
             "i området ditt, og teknikerne våre jobber med saken nå. Du kan følge med på fjordnett.example/drift, "
             "og vi gir beskjed her så snart det er løst."},
    {"title": "Outage apology", "language": "en", "team": "",
     "body": "Hi {customer_first_name}, sorry that your connection isn't working as it should. There is an outage "
             "in your area and our technicians are working on it now. You can follow it at "
             "fjordnett.example/status, and we'll let you know here as soon as it's fixed."},
    {"title": "Spørsmål om faktura", "language": "nb", "team": "customer-service",
     "body": "Hei {customer_first_name}! Takk for at du sier fra om fakturaen. Jeg ser på den nå. Hvis du sender "
             "meg fakturanummeret, finner jeg den raskere. Saksnummeret ditt hos oss er {ticket_number}."},
    {"title": "Ta det i privat melding", "language": "nb", "team": "social",
     "body": "Hei {customer_first_name}! Dette hjelper vi deg gjerne med. For å ta vare på personopplysningene "
             "dine: send oss en privat melding med kundenummeret ditt, så ser vi på det der. Ikke skriv adresse, "
             "fødselsnummer eller kundenummer i kommentarfeltet."},
    {"title": "Move to a private message", "language": "en", "team": "social",
     "body": "Hi {customer_first_name}, happy to help with this. To keep your personal details private, please "
             "send us a private message with your customer number and we'll take it from there. Please don't post "
             "your address or customer number in the comments."},
    {"title": "Takk for skryt", "language": "nb", "team": "",
     "body": "Tusen takk, {customer_first_name}! Så hyggelig å høre. Jeg sender rosen videre til resten av "
             "gjengen."},
]


@dataclass(frozen=True)
class _ChannelSpec:
    """How one channel behaves: ids, the brand's own account, staffed hours and typical response times."""

    kind: str
    slug: str
    name: str
    prefix: str
    brand: dict[str, str]
    weekday_hours: tuple[int, int] | None
    weekend_hours: tuple[int, int] | None
    reply_minutes: tuple[int, int]
    follow_up_minutes: tuple[int, int]


_SPECS: dict[str, _ChannelSpec] = {
    spec.kind: spec
    for spec in (
        _ChannelSpec("facebook", "fjordnett-facebook", "Fjordnett on Facebook", "fb",
                     {"id": "fb-page-fjordnett", "handle": "Fjordnett", "name": "Fjordnett"},
                     (8, 22), (10, 20), (8, 95), (3, 240)),
        _ChannelSpec("instagram", "fjordnett-instagram", "@fjordnett on Instagram", "ig",
                     {"id": "ig-fjordnett", "handle": "@fjordnett", "name": "Fjordnett"},
                     (8, 22), (10, 20), (10, 120), (3, 240)),
        _ChannelSpec("x", "fjordnett-x", "@fjordnett on X", "x",
                     {"id": "x-fjordnett", "handle": "@fjordnett", "name": "Fjordnett"},
                     (8, 22), (10, 20), (5, 60), (2, 120)),
        _ChannelSpec("whatsapp", "fjordnett-whatsapp", "Fjordnett on WhatsApp", "wa",
                     {"id": "wa-4721004000", "handle": "+47 21 00 40 00", "name": "Fjordnett"},
                     (8, 22), (10, 20), (4, 75), (1, 90)),
        _ChannelSpec("telegram", "fjordnett-telegram", "Fjordnett on Telegram", "tg",
                     {"id": "tg-fjordnett", "handle": "@fjordnett_support", "name": "Fjordnett"},
                     (8, 22), (10, 20), (5, 90), (1, 90)),
        _ChannelSpec("email", "fjordnett-email", "kundeservice@fjordnett.example", "email",
                     {"id": "kundeservice@fjordnett.example", "handle": "kundeservice@fjordnett.example",
                      "name": "Fjordnett kundeservice"},
                     (8, 17), None, (45, 600), (30, 1200)),
        _ChannelSpec("webchat", "fjordnett-webchat", "Chat on fjordnett.example", "chat",
                     {"id": "chat-fjordnett", "handle": "Fjordnett", "name": "Fjordnett"},
                     (8, 20), (10, 16), (1, 4), (1, 3)),
        _ChannelSpec("reviews", "fjordnett-reviews", "Fjordnett reviews", "review",
                     {"id": "review-fjordnett", "handle": "Fjordnett", "name": "Fjordnett (company reply)"},
                     (9, 16), None, (120, 1500), (600, 2880)),
    )
}

CHANNELS: list[dict[str, Any]] = [{"slug": s.slug, "kind": s.kind, "name": s.name} for s in _SPECS.values()]

#: Local time offset from UTC per market (standard time; good enough for a demo, and no tz database needed).
_UTC_OFFSET_HOURS: dict[str, int] = {"no": 1, "dk": 1, "se": 1, "fi": 2, "nl": 1}
_LANG_MARKET: dict[str, str] = {"nb": "no", "nn": "no", "da": "dk", "sv": "se", "fi": "fi", "nl": "nl", "en": "no"}
_MARKET_LANG: dict[str, str] = {"no": "nb", "dk": "da", "se": "sv", "fi": "fi", "nl": "nl"}

#: How likely someone writes to a telecom at each local hour (0-23); evenings are busy, nights nearly quiet.
_HOUR_WEIGHT: tuple[float, ...] = (
    0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.35, 0.85, 1.35, 1.6, 1.6, 1.5,
    1.45, 1.5, 1.5, 1.4, 1.35, 1.3, 1.25, 1.45, 1.55, 1.4, 1.0, 0.55,
)
_WEEKEND_FACTOR = 0.65

#: Default window (days before now) for the first message, by how the thread ends: unanswered threads are recent,
#: threads waiting on the customer are days old at most, solved ones can be from any day of the fortnight.
_WINDOWS: dict[str, tuple[float, float]] = {
    "new": (0.02, 1.0),
    "open": (0.1, 2.5),
    "pending": (0.15, 4.5),
    "on_hold": (0.3, 6.0),
    "solved": (0.1, 13.6),
}

#: The outage starts at this local time (Norway) on the day three days before ``now``.
_OUTAGE_LOCAL_TIME = (16, 42)

_REPLY_PREFIX: dict[str, str] = {"nb": "SV: ", "nn": "SV: ", "da": "SV: ", "sv": "SV: ", "fi": "VS: ", "nl": "RE: ",
                                 "en": "Re: "}

_SCENARIO_TEAM: dict[str, str] = {
    "sales_lead": "sales-marketing",
    "troll": "social",
    "pii_in_public": "social",
    "outage": "customer-service",
}


@dataclass(frozen=True)
class Scenario:
    """Everything the demo loader needs: the organisation, its set-up, and two weeks of conversations."""

    organisation: dict[str, Any]
    channels: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    canned_responses: list[dict[str, Any]] = field(default_factory=list)
    saved_searches: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Person:
    """One invented customer; identities are made per channel on first use and then reused."""

    key: str
    first: str
    last: str
    market: str
    phone_digits: str
    phone: str
    email: str
    year: int
    identities: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class _Placed:
    """A conversation once its customer, agent and times are decided (ids come last, in time order)."""

    convo: Convo
    person: _Person
    agent: dict[str, Any] | None
    team: str | None
    times: list[datetime]
    note_times: list[datetime]
    status: str
    conversation_id: str = ""
    message_ids: list[str] = field(default_factory=list)


def build_scenario(now: datetime, seed: int = 7) -> Scenario:
    """Build the demo as it looks at ``now`` (timezone-aware); the same ``now`` and ``seed`` give the same demo."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    rng = random.Random(seed)
    builder = _Builder(now, rng)
    placed = [builder.place(convo) for convo in _ordered(all_conversations())]
    messages, tickets = _emit(placed)
    return Scenario(
        organisation=copy.deepcopy(ORGANISATION),
        channels=copy.deepcopy(CHANNELS),
        teams=copy.deepcopy(TEAMS),
        agents=copy.deepcopy(AGENTS),
        messages=messages,
        tickets=tickets,
        canned_responses=copy.deepcopy(CANNED_RESPONSES),
        saved_searches=copy.deepcopy(SAVED_SEARCHES),
    )


def outage_start(now: datetime) -> datetime:
    """When the demo's mobile-data outage in Bergen began: 16:42 Norwegian time, three days before ``now``."""
    offset = timedelta(hours=_UTC_OFFSET_HOURS["no"])
    local_day = (now.astimezone(UTC) + offset - timedelta(days=3)).date()
    hour, minute = _OUTAGE_LOCAL_TIME
    return datetime(local_day.year, local_day.month, local_day.day, hour, minute, tzinfo=UTC) - offset


def _ordered(convos: Iterable[Convo]) -> list[Convo]:
    """Put every conversation after the one it follows, keeping the written order otherwise."""
    pending = list(convos)
    keys = [c.key for c in pending]
    if len(keys) != len(set(keys)):
        raise ValueError("conversation keys must be unique")
    done: set[str] = set()
    ordered: list[Convo] = []
    while pending:
        rest = []
        for item in pending:
            if item.follows is None or item.follows in done:
                ordered.append(item)
                done.add(item.key)
            else:
                rest.append(item)
        if len(rest) == len(pending):
            raise ValueError(f"unknown or circular 'follows': {[c.key for c in rest]}")
        pending = rest
    return ordered


class _Builder:
    """Decides people, agents and times conversation by conversation, drawing only from one ``random.Random``."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now = now
        self.rng = rng
        self.anchor = outage_start(now)
        self.people: list[_Person] = []
        self.by_key: dict[str, _Placed] = {}
        self.used_names: set[str] = set()
        self.used_ids: set[str] = set()

    # --- people -------------------------------------------------------------------------------------------------

    def _new_person(self, convo: Convo) -> _Person:
        market = convo.market or _LANG_MARKET[convo.lang]
        origin = convo.origin
        if convo.lang == "en" and origin is None:
            origin = self.rng.choices(list(INTL_ORIGINS), weights=list(INTL_ORIGINS.values()))[0]
        firsts, lasts = POOLS[pool_for(convo.lang, market, origin)]
        for _ in range(1000):
            first, last = self.rng.choice(firsts), self.rng.choice(lasts)
            if f"{first} {last}" not in self.used_names:
                break
        else:  # pragma: no cover - the pools are far larger than the demo
            raise RuntimeError("ran out of names")
        self.used_names.add(f"{first} {last}")
        digits, phone = self._phone(market)
        year = self.rng.randint(1948, 2006)
        provider = self.rng.choice(("gmail", "hotmail", "outlook", "icloud", "online", "live"))
        f, la = _slug(first), _slug(last)
        local = self.rng.choice((f"{f}.{la}", f"{f}{la}{year % 100:02d}", f"{f[0]}{la}",
                                 f"{f}.{la}{self.rng.randint(1, 99)}"))
        person = _Person(
            key=f"cust-{len(self.people) + 1:04d}",
            first=first,
            last=last,
            market=market,
            phone_digits=digits,
            phone=phone,
            email=f"{local}@{provider}.example",
            year=year,
        )
        self.people.append(person)
        return person

    def _phone(self, market: str) -> tuple[str, str]:
        r = self.rng
        if market == "no":
            d = r.choice("49") + "".join(r.choice("0123456789") for _ in range(7))
            return "47" + d, f"+47 {d[:3]} {d[3:5]} {d[5:]}"
        if market == "dk":
            d = r.choice(("2", "3", "4", "5", "6")) + "".join(r.choice("0123456789") for _ in range(7))
            return "45" + d, f"+45 {d[:2]} {d[2:4]} {d[4:6]} {d[6:]}"
        if market == "se":
            d = r.choice(("70", "72", "73", "76", "79")) + "".join(r.choice("0123456789") for _ in range(7))
            return "46" + d, f"+46 {d[:2]}-{d[2:5]} {d[5:7]} {d[7:]}"
        if market == "fi":
            d = r.choice(("40", "44", "45", "50")) + "".join(r.choice("0123456789") for _ in range(7))
            return "358" + d, f"+358 {d[:2]} {d[2:5]} {d[5:]}"
        d = "6" + "".join(r.choice("0123456789") for _ in range(8))
        return "31" + d, f"+31 6 {d[1:5]} {d[5:]}"

    def _identity(self, person: _Person, kind: str) -> dict[str, str]:
        if kind in person.identities:
            return person.identities[kind]
        r = self.rng
        first, last = _slug(person.first), _slug(person.last)
        yy = f"{person.year % 100:02d}"
        if kind == "facebook":
            ident = {"id": f"fb-user-{r.randrange(10**14, 10**15)}", "handle": person.full, "name": person.full}
        elif kind == "instagram":
            handle = r.choice((f"{first}.{last}", f"{first}_{last}{yy}", f"{first}.{last[0]}", f"{first}{last}",
                               f"_{first}{yy}", f"{first}.{last}.{r.randint(1, 9)}"))
            ident = {"id": f"ig-user-{r.randrange(10**10, 10**11)}", "handle": f"@{handle}", "name": person.full}
        elif kind == "x":
            handle = r.choice((f"{first}_{last[0]}", f"{first}{last}", f"{first[0]}{last}{yy}", f"{first}{yy}",
                               f"{first}_{last}", f"the{first}{last[0]}"))[:15]
            name = r.choice((person.full, person.first, f"{person.first} {person.last[0]}."))
            ident = {"id": f"x-user-{r.randrange(10**8, 10**10)}", "handle": f"@{handle}", "name": name}
        elif kind == "whatsapp":
            name = r.choice((person.full, person.first, person.full, f"{person.first} {person.last[0]}"))
            ident = {"id": f"wa-{person.phone_digits}", "handle": person.phone, "name": name}
        elif kind == "telegram":
            handle = r.choice((f"{first}_{last}", f"{first}{last[0]}", f"{first}{yy}"))
            ident = {"id": f"tg-{r.randrange(10**8, 10**10)}", "handle": f"@{handle}", "name": person.full}
        elif kind == "email":
            ident = {"id": person.email, "handle": person.email, "name": person.full}
        elif kind == "webchat":
            ident = {"id": f"chat-visitor-{r.getrandbits(40):010x}", "handle": person.email, "name": person.full}
        else:  # reviews
            ident = {"id": f"review-user-{r.randrange(10**6, 10**8)}", "handle": f"{person.first} {person.last[0]}.",
                     "name": person.full}
        if ident["id"] in self.used_ids:  # pragma: no cover - astronomically unlikely, but ids must stay unique
            ident["id"] += f"-{len(self.used_ids)}"
        self.used_ids.add(ident["id"])
        person.identities[kind] = ident
        return ident

    # --- agents -------------------------------------------------------------------------------------------------

    def _team(self, convo: Convo) -> str:
        if convo.scenario in _SCENARIO_TEAM:
            return _SCENARIO_TEAM[convo.scenario]
        if convo.scenario == "praise" and convo.kind == "public":
            return "social"
        return "customer-service"

    def _pick_agent(self, convo: Convo, team: str, market: str) -> dict[str, Any]:
        if convo.agent is not None:
            return _AGENTS_BY_USERNAME[convo.agent]
        candidates = [
            agent for agent in AGENTS
            if agent["role"] in ("agent", "supervisor") and team in agent["teams"] and convo.lang in agent["languages"]
        ]
        if convo.lang == "en":
            local = [agent for agent in candidates if _MARKET_LANG[market] in agent["languages"]]
            candidates = local or candidates
        if not candidates:
            raise ValueError(f"{convo.key}: no agent in team {team!r} writes {convo.lang!r}")
        # Agents mostly answer in their first language; supervisors step in now and then.
        weights = [
            (1.0 if agent["languages"][0] == convo.lang or convo.lang == "en" else 0.3)
            * (0.35 if agent["role"] == "supervisor" else 1.0)
            for agent in candidates
        ]
        return self.rng.choices(candidates, weights=weights)[0]

    # --- time ---------------------------------------------------------------------------------------------------

    def _minutes(self, low: int, high: int) -> timedelta:
        """A delay between ``low`` and ``high`` minutes, short ones likelier (log-uniform), with seconds."""
        value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        return timedelta(seconds=round(value * 60) + self.rng.randint(0, 59))

    def _sample_start(self, low_days: float, high_days: float, offset: timedelta,
                      hours: tuple[int, int] | None) -> datetime:
        """A first-message time in the window, likelier at busy hours, within ``hours`` (local) if given."""
        span = (high_days - low_days) * 86400
        for _ in range(20_000):
            moment = self.now - timedelta(seconds=low_days * 86400 + self.rng.random() * span)
            local = moment + offset
            if hours is not None and not hours[0] <= local.hour < hours[1]:
                continue
            weight = _HOUR_WEIGHT[local.hour] * (_WEEKEND_FACTOR if local.weekday() >= 5 else 1.0)
            if self.rng.random() * max(_HOUR_WEIGHT) <= weight:
                return moment.replace(microsecond=0)
        raise RuntimeError(f"no moment between {low_days} and {high_days} days ago within hours {hours}")

    def _staffed(self, moment: datetime, spec: _ChannelSpec, offset: timedelta) -> datetime:
        """The first moment at or after ``moment`` when someone is at the desk for this channel."""
        local = moment + offset
        for _ in range(10):
            hours = spec.weekday_hours if local.weekday() < 5 else spec.weekend_hours
            if hours is not None:
                opens, closes = hours
                if opens <= local.hour < closes:
                    return local - offset
                if local.hour < opens:
                    start = local.replace(hour=opens, minute=0, second=0)
                    return start + self._minutes(3, 50) - offset
            local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0)
        raise RuntimeError("no staffed hours found")  # pragma: no cover - every channel is staffed some days

    def _awake(self, moment: datetime, offset: timedelta) -> datetime:
        """Customers seldom answer between 01 and 06; move most such follow-ups to the morning."""
        local = moment + offset
        if 1 <= local.hour < 6 and self.rng.random() < 0.85:
            local = local.replace(hour=self.rng.randint(6, 8), minute=self.rng.randint(0, 59))
        return local - offset

    def _timeline(self, convo: Convo, spec: _ChannelSpec, start: datetime, offset: timedelta,
                  relaxed: bool = False) -> list[datetime]:
        """Times of all messages of a thread; ``relaxed`` drops desk hours and sleep (the last-resort fallback)."""
        times = [start]
        for previous, line in zip(convo.lines, convo.lines[1:], strict=False):
            last = times[-1]
            if line.at is not None:
                moment = self.anchor + timedelta(minutes=line.at, seconds=self.rng.randint(0, 240))
            elif line.delay is not None:
                moment = last + timedelta(minutes=line.delay, seconds=self.rng.randint(0, 59))
            elif line.inbound:
                low, high = (1, 6) if previous.inbound else spec.follow_up_minutes
                moment = last + self._minutes(low, high)
                moment = moment if relaxed else self._awake(moment, offset)
            elif convo.scenario == "outage":
                moment = last + self._minutes(2, 30)
            else:
                moment = last + self._minutes(*spec.reply_minutes)
                moment = moment if relaxed else self._staffed(moment, spec, offset)
            times.append(max(moment, last + timedelta(seconds=40)))
        return times

    # --- placing one conversation -------------------------------------------------------------------------------

    def place(self, convo: Convo) -> _Placed:
        _check(convo)
        spec = _SPECS[convo.channel]
        market = convo.market or _LANG_MARKET[convo.lang]
        offset = timedelta(hours=_UTC_OFFSET_HOURS[market])
        person = self.by_key[convo.follows].person if convo.follows is not None else self._new_person(convo)
        self._identity(person, convo.channel)
        low, high = convo.window or _WINDOWS[convo.ending]
        if convo.follows is not None:
            earlier_end = self.by_key[convo.follows].times[-1]
            high = min(high, (self.now - earlier_end).total_seconds() / 86400 - 0.05)
            if high <= low + 0.05:
                low = max(0.02, high / 2)
        latest = high if convo.follows is not None else _WINDOWS["solved"][1]
        # Desk hours and weekends can make a thread impossible to finish before ``now`` (an e-mail thread that must
        # start on a Saturday); then the window is widened step by step, and as a last resort desk hours are ignored.
        for attempt in range(600):
            if attempt and attempt % 100 == 0:
                high = min(high + 1.0, latest)
            if convo.anchored:
                first_at = convo.lines[0].at or 0
                start = self.anchor + timedelta(minutes=first_at, seconds=self.rng.randint(0, 59))
            else:
                start = self._sample_start(low, high, offset, convo.hours)
            times = self._timeline(convo, spec, start, offset, relaxed=attempt >= 400)
            if times[-1] <= self.now - timedelta(minutes=1) and self.now - times[0] < SPAN:
                break
        else:
            raise RuntimeError(f"{convo.key}: could not fit the thread before now")

        team: str | None = self._team(convo)
        agent: dict[str, Any] | None = None
        if any(not line.inbound for line in convo.lines) or convo.ending != "new":
            agent = self._pick_agent(convo, team or "customer-service", market)
        if convo.ending == "new":
            team = None
        status: str = convo.ending
        if status == "solved" and self.now - times[-1] > CLOSE_AFTER and self.rng.random() < 0.8:
            status = "closed"
        note_times = self._note_times(convo, times, spec, offset)
        placed = _Placed(convo, person, agent, team, times, note_times, status)
        self.by_key[convo.key] = placed
        return placed

    def _note_times(self, convo: Convo, times: list[datetime], spec: _ChannelSpec,
                    offset: timedelta) -> list[datetime]:
        """Each internal note is written just before the matching reply, or a while after the last message."""
        replies = [t for line, t in zip(convo.lines, times, strict=True) if not line.inbound]
        if convo.ending == "open":
            replies = []  # the note is about the customer's latest message, which still waits for us
        result: list[datetime] = []
        for index in range(len(convo.notes)):
            if index < len(replies):
                moment = replies[index] - timedelta(minutes=self.rng.randint(1, 6))
            else:
                moment = self._staffed(times[-1] + timedelta(minutes=self.rng.randint(3, 40)), spec, offset)
            moment = max(moment, times[0] + timedelta(seconds=30), *result[-1:])
            result.append(min(moment, self.now - timedelta(seconds=30)).replace(microsecond=0))
        return result


def _check(convo: Convo) -> None:
    """Catch writing mistakes in the hand-written content early, with the conversation's key in the message."""
    if not convo.lines or not convo.lines[0].inbound:
        raise ValueError(f"{convo.key}: a conversation starts with the customer")
    if convo.channel in PRIVATE_ONLY and convo.kind != "private":
        raise ValueError(f"{convo.key}: {convo.channel} has only private conversations")
    if convo.channel == "reviews" and convo.kind != "public":
        raise ValueError(f"{convo.key}: reviews are public")
    if convo.anchored and convo.lines[0].at is None:
        raise ValueError(f"{convo.key}: an anchored thread needs 'at' on its first line")
    if not convo.anchored and any(line.at is not None for line in convo.lines):
        raise ValueError(f"{convo.key}: only anchored threads use 'at'")
    if convo.ending == "new" and convo.notes:
        raise ValueError(f"{convo.key}: nobody has written notes on a new ticket")
    for line in convo.lines:
        if not line.inbound and "{agent}" not in line.text:
            raise ValueError(f"{convo.key}: agent line without a {{agent}} signature: {line.text[:40]!r}")
        if line.inbound and "{agent}" in line.text:
            raise ValueError(f"{convo.key}: customer line with {{agent}}")
        if "{month" in line.text and (line.lang or convo.lang) not in _MONTHS:
            raise ValueError(f"{convo.key}: no month names for {line.lang or convo.lang!r}; write around the month")
        if "{workday" in line.text and not _WORKDAY_PLACEHOLDER.search(line.text):
            raise ValueError(f"{convo.key}: write {{workday+N}} with N from 1 to 9")
    last_inbound = convo.lines[-1].inbound
    replies = sum(not line.inbound for line in convo.lines)
    if convo.ending == "new" and replies:
        raise ValueError(f"{convo.key}: a new ticket has no replies")
    if convo.ending == "open" and not last_inbound:
        raise ValueError(f"{convo.key}: an open ticket waits for us, so the customer wrote last")
    if convo.ending in ("pending", "on_hold") and last_inbound:
        raise ValueError(f"{convo.key}: {convo.ending} means we wrote last")
    if convo.ending == "solved" and not replies and convo.scenario != "troll":
        raise ValueError(f"{convo.key}: only trolls are closed without a reply")
    if convo.channel == "email" and not convo.subject:
        raise ValueError(f"{convo.key}: e-mails need a subject")
    if not 1 <= convo.priority <= 4:
        raise ValueError(f"{convo.key}: priority is 1..4")


_MONTHS: dict[str, tuple[str, ...]] = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
           "desember"),
    "nn": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
           "desember"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november",
           "december"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_MONTH_PLACEHOLDER = re.compile(r"\{month([+-]\d)?\}")
#: Working days, Monday to Friday, as written after "on" in each language (Finnish: translative, "for Thursday").
_WORKDAYS: dict[str, tuple[str, ...]] = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag"),
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag"),
    "fi": ("maanantaiksi", "tiistaiksi", "keskiviikoksi", "torstaiksi", "perjantaiksi"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
}
_WORKDAY_PLACEHOLDER = re.compile(r"\{workday\+(\d)(:cap)?\}")


def _fill(text: str, person: _Person, agent: dict[str, Any] | None, lang: str, start: datetime) -> str:
    """Put names, contact details, months and weekdays into hand-written text.

    ``{month}``, ``{month-1}``, ``{month+2}`` … are the month of the thread's first message (local time, roughly),
    shifted; ``{workday+N}`` is the N-th working day after it (``{workday+N:cap}`` capitalised, to start a
    sentence). Both are written in the text's language, so "the invoice for October" and "a technician on Thursday"
    are right whenever the demo is built.
    """
    text = (text.replace("{first}", person.first).replace("{full}", person.full)
            .replace("{phone}", person.phone).replace("{email}", person.email))
    if agent is not None:
        text = text.replace("{agent}", agent["first_name"])
    local = start + timedelta(hours=_UTC_OFFSET_HOURS[person.market])
    if "{month" in text:
        names = _MONTHS[lang]

        def month(match: re.Match[str]) -> str:
            return names[(local.month - 1 + int(match.group(1) or 0)) % 12]

        text = _MONTH_PLACEHOLDER.sub(month, text)
    if "{workday" in text:
        days = _WORKDAYS[lang]

        def workday(match: re.Match[str]) -> str:
            day, left = local.date(), int(match.group(1))
            while left:
                day += timedelta(days=1)
                left -= day.weekday() < 5
            name = days[day.weekday()]
            return name[:1].upper() + name[1:] if match.group(2) else name

        text = _WORKDAY_PLACEHOLDER.sub(workday, text)
    return text


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _emit(placed: list[_Placed]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Give ids in time order per channel (as a platform would) and write out messages and tickets."""
    by_start = sorted(placed, key=lambda p: (p.times[0], p.convo.key))
    thread_numbers: dict[str, int] = {}
    for item in by_start:
        spec = _SPECS[item.convo.channel]
        thread_numbers[spec.kind] = thread_numbers.get(spec.kind, 0) + 1
        item.conversation_id = f"{spec.prefix}-thread-{thread_numbers[spec.kind]:06d}"
        item.message_ids = [""] * len(item.convo.lines)

    every_line = sorted(
        ((t, item.convo.key, index, item) for item in placed for index, t in enumerate(item.times)),
        key=lambda row: (row[0], row[1], row[2]),
    )
    message_numbers: dict[str, int] = {}
    messages: list[dict[str, Any]] = []
    for moment, _key, index, item in every_line:
        convo, spec = item.convo, _SPECS[item.convo.channel]
        message_numbers[spec.kind] = message_numbers.get(spec.kind, 0) + 1
        message_id = f"{spec.prefix}-{message_numbers[spec.kind]:06d}"
        item.message_ids[index] = message_id
        line: Line = convo.lines[index]
        message: dict[str, Any] = {
            "channel": spec.slug,
            "message_id": message_id,
            "conversation_id": item.conversation_id,
            "conversation_kind": convo.kind,
            "direction": "inbound" if line.inbound else "outbound",
            "public": convo.kind == "public",
        }
        if line.inbound:
            message["author"] = dict(item.person.identities[convo.channel])
            message["customer_key"] = item.person.key
        else:
            assert item.agent is not None
            message["author"] = dict(spec.brand)
            message["agent"] = item.agent["username"]
        language = line.lang or convo.lang
        start = item.times[0]
        message["text"] = _fill(line.text, item.person, item.agent, language, start)
        if convo.subject and (convo.channel == "email" or index == 0):
            prefix = "" if index == 0 else _REPLY_PREFIX[convo.lang]
            message["subject"] = prefix + _fill(convo.subject, item.person, item.agent, convo.lang, start)
        message["sent_at"] = _iso(moment)
        if index > 0:
            message["in_reply_to"] = item.message_ids[index - 1]
        if line.attachments:
            message["attachments"] = [
                {"name": _fill(f.name, item.person, item.agent, language, start), "content_type": f.content_type,
                 "size": f.size}
                for f in line.attachments
            ]
        message["language"] = language
        messages.append(message)

    tickets: list[dict[str, Any]] = []
    for item in by_start:
        convo = item.convo
        author = item.agent["username"] if item.agent is not None else None
        tickets.append({
            "channel": _SPECS[convo.channel].slug,
            "conversation_id": item.conversation_id,
            "status": item.status,
            "assignee": author,
            "team": item.team,
            "priority": convo.priority,
            "labels": list(convo.labels),
            "notes": [
                {"author": author, "text": _fill(text, item.person, item.agent, convo.lang, item.times[0]),
                 "at": _iso(at)}
                for text, at in zip(convo.notes, item.note_times, strict=True)
            ] if author is not None else [],
            "scenario": convo.scenario,
        })
    return messages, tickets


def _slug(text: str) -> str:
    """ASCII, lower-case form of a name for handles and addresses (``Ødegård`` -> ``odegard``)."""
    text = text.lower()
    for source, target in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("ß", "ss"), ("ı", "i"), ("'", ""), (" ", ""),
                           ("-", "")):
        text = text.replace(source, target)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())
