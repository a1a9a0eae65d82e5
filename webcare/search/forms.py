"""The search page's form: what was typed, as a :class:`~webcare.search.types.SearchQuery`, and the filters with
their counts as links that narrow or widen it.

Why the inbox's query language (webcare/inbox/search.py) rather than a form field per filter: one box holds the whole
search, so the address of a search (``/search/?q=faktura channel:x lang:nb``) is readable and shareable, a filter is
clicked on and off by rewriting the text, and "Save as inbox view" stores exactly that text — the inbox understands
every filter of this page. The page adds nothing to the language; it leaves out the inbox-only keys (``label:``,
``priority:``, ``is:``), which the engine does not index, and says so.

Everything here is pure but :func:`load_names`, which reads the organisation's channels, teams and agents once per
request (the values typed are names; the engine takes kinds and ids).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webcare.core.models import Agent, Channel, ChannelKind, Team
from webcare.inbox import search as language
from webcare.inbox.templatetags.triage import INTENTS, SENTIMENTS, language_name
from webcare.search.types import FACETS, FacetCount, Order, SearchQuery, Visibility
from webcare.tickets.models import Status

ORDERS: tuple[Order, ...] = ("relevance", "newest")
#: The facet the engine counts → the query language's key that filters by it (the date is ``since:``/``until:``).
FACET_KEYS = {"channel": "channel", "language": "lang", "sentiment": "sentiment", "intent": "intent",
              "status": "status", "team": "team", "assignee": "assignee"}
#: Keys the inbox understands but the engine does not index: refused here with the reason.
INBOX_ONLY = ("label", "priority", "is")
#: Values shown per filter; the most frequent first (dates: the newest days).
MAX_VALUES = 10

TITLES = {
    "channel": gettext_lazy("Channel"),
    "language": gettext_lazy("Language"),
    "sentiment": gettext_lazy("Tone"),
    "intent": gettext_lazy("Intent"),
    "status": gettext_lazy("Status"),
    "team": gettext_lazy("Team"),
    "assignee": gettext_lazy("Assignee"),
    "date": gettext_lazy("Date"),
}

#: A ticket's status in the agent's language (the model's own labels are English only).
STATUSES = {
    Status.NEW.value: gettext_lazy("New"),
    Status.OPEN.value: gettext_lazy("Open"),
    Status.PENDING.value: gettext_lazy("Pending"),
    Status.ON_HOLD.value: gettext_lazy("On hold"),
    Status.SOLVED.value: gettext_lazy("Solved"),
    Status.CLOSED.value: gettext_lazy("Closed"),
}


@dataclass(frozen=True)
class Names:
    """What the organisation calls its channels, teams and people — to turn typed names into what the engine takes
    and facet ids back into names."""

    channel_kinds: dict[str, str] = field(default_factory=dict)  # slug → kind
    teams: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (slug, name)
    people: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # user id → (username, first name, shown)


def load_names(organisation_id: int) -> Names:
    """The organisation's channels, teams and agents (three small queries)."""
    people = {user_id: (username, first, (f"{first} {last}".strip() or username))
              for user_id, username, first, last in Agent.objects.filter(organisation_id=organisation_id)
              .values_list("user_id", "user__username", "user__first_name", "user__last_name")}
    return Names(
        channel_kinds=dict(Channel.objects.filter(organisation_id=organisation_id).values_list("slug", "kind")),
        teams={pk: (slug, name) for pk, slug, name in Team.objects.filter(organisation_id=organisation_id)
               .values_list("pk", "slug", "name")},
        people=people,
    )


@dataclass(frozen=True)
class Understood:
    """A typed search made ready for the engine: the parsed text and, for each typed ``key:value``, the facet values
    it stands for (a team's name → its id as text, ``channel:`` a slug → the kind, ``assignee:me`` → the user's id)."""

    search: language.Search
    means: dict[tuple[str, str], frozenset[str]]

    def facet_values(self, key: str) -> set[str]:
        """Every facet value the typed filters of ``key`` stand for."""
        return {value for (k, _typed), values in self.means.items() if k == key for value in values}


def _resolve(key: str, value: str, names: Names, user_id: int) -> frozenset[str]:
    """The facet values one typed ``key:value`` stands for; ``SearchError`` naming it if it stands for nothing (on
    this page a filter that matches nothing is a typo, not a wish)."""
    if key == "channel":
        if value in ChannelKind.values:
            return frozenset({value})
        if value in names.channel_kinds:
            return frozenset({names.channel_kinds[value]})
        raise language.SearchError(f"no channel {value!r}; use a kind ({', '.join(ChannelKind.values)}) or a "
                                   "channel's short name")
    if key == "team":
        if value == "none":
            return frozenset({"none"})
        found = frozenset(str(pk) for pk, (slug, name) in names.teams.items() if value in (slug, name.lower()))
        if not found:
            raise language.SearchError(f"no team {value!r}; use a team's short name or name, or team:none")
        return found
    if key == "assignee":
        if value == "none":
            return frozenset({"none"})
        if value == "me":
            return frozenset({str(user_id)})
        found = frozenset(str(pk) for pk, (username, first, _shown) in names.people.items()
                          if value in (username.lower(), first.lower()))
        if not found:
            raise language.SearchError(f"no agent {value!r}; use a username or first name, me or none")
        return found
    return frozenset({value})


def understand(text: str, names: Names, user_id: int) -> Understood:
    """Parse the box (the inbox's query language) and resolve its names; ``SearchError`` says what is wrong."""
    parsed = language.parse(text)
    inbox_only = [key for key in INBOX_ONLY if key in parsed.filters]
    if inbox_only:
        raise language.SearchError(f"{inbox_only[0]}: filters the inbox's list only; search for it in the inbox")
    keys = {value: key for key, value in FACET_KEYS.items()}
    means = {(keys[key], value): _resolve(key, value, names, user_id)
             for key, values in parsed.filters.items() if key in keys for value in values}
    return Understood(parsed, means)


def _ids(values: set[str]) -> tuple[int | None, ...]:
    return tuple(sorted((None if value == "none" else int(value) for value in values),
                        key=lambda v: -1 if v is None else v))


def to_query(understood: Understood, organisation_id: int, visibility: Visibility | None, *, order: Order,
             limit: int, offset: int = 0, prefix: bool = False) -> SearchQuery:
    """The engine's query for what was typed. Without free words there is nothing to rank: newest first."""
    parsed = understood.search
    since, until = language.day_range(parsed)
    words = language.free_text(parsed)
    text = language.engine_text(parsed)
    return SearchQuery(
        organisation_id=organisation_id, text=text,
        channels=tuple(sorted(understood.facet_values("channel"))),
        languages=parsed.filters.get("lang", ()), sentiments=parsed.filters.get("sentiment", ()),
        intents=parsed.filters.get("intent", ()), statuses=parsed.filters.get("status", ()),
        team_ids=_ids(understood.facet_values("team")), assignee_ids=_ids(understood.facet_values("assignee")),
        since=since, until=until, order=order if words else "newest", limit=limit, offset=offset,
        visibility=visibility, prefix=prefix and bool(words),
    )


# -- the filters beside the results -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FacetLink:
    """One value of a filter: its name, how many results have it, and the search with it switched on or off."""

    label: str
    count: int
    url: str
    active: bool
    focus: str  # a stable name for the link, so focus can return to it after the results are replaced


@dataclass(frozen=True)
class FacetGroup:
    key: str
    title: str
    links: list[FacetLink]


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in force, with the search without it (the remove-link)."""

    label: str
    url: str
    focus: str


def search_url(path: str, text: str, order: Order) -> str:
    """The address of a search: what a person can share and come back to."""
    params = {"q": text}
    if order != "relevance":
        params["order"] = order
    return f"{path}?{urlencode(params)}" if text else (path if order == "relevance" else f"{path}?order={order}")


def value_label(facet: str, value: str, names: Names) -> str:
    """A facet value as people read it, in the agent's language where there are words for it."""
    if facet == "channel":
        return str(ChannelKind(value).label) if value in ChannelKind.values else value
    if facet == "language":
        return language_name(value)
    if facet == "sentiment":
        return str(SENTIMENTS[value][1]) if value in SENTIMENTS else value
    if facet == "intent":
        return str(INTENTS.get(value, value))
    if facet == "status":
        return str(STATUSES.get(value, value))
    if facet == "team":
        return _("No team") if value == "none" else names.teams.get(int(value), ("", value))[1]
    if facet == "assignee":
        return _("Unassigned") if value == "none" else names.people.get(int(value), ("", "", value))[2]
    if facet == "date":
        return day_label(value)
    return value


def day_label(value: str) -> str:
    """A day ("2026-11-26") or a month ("2026-10") of the date facet as people read it."""
    try:
        if len(value) == 7:
            return str(formats.date_format(date.fromisoformat(f"{value}-01"), "F Y"))
        return str(formats.date_format(date.fromisoformat(value), "j M Y"))
    except ValueError:
        return value


def days_of(value: str) -> tuple[str, str]:
    """The first and last day a date facet value covers: a day itself, or a month's first and last day."""
    if len(value) != 7:
        return value, value
    first = date.fromisoformat(f"{value}-01")
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()


def _token(facet: str, value: str, names: Names) -> tuple[str, str] | None:
    """The ``key:value`` a facet value adds to the query (team and people by their short names, which is how they
    read in a saved search); None for an id no longer known."""
    key = FACET_KEYS[facet]
    if facet == "team" and value != "none":
        team = names.teams.get(int(value)) if value.isdigit() else None
        return (key, team[0]) if team else None
    if facet == "assignee" and value != "none":
        person = names.people.get(int(value)) if value.isdigit() else None
        return (key, person[0].lower()) if person else None
    return key, value


def facet_groups(facets: Mapping[str, Sequence[FacetCount]], understood: Understood, names: Names, *, path: str,
                 order: Order) -> list[FacetGroup]:
    """The filters with counts, in :data:`~webcare.search.types.FACETS` order: each value a link that narrows the
    search to it, or — when it is already in force — widens it again."""
    parsed = understood.search
    groups = []
    for facet in FACETS:
        counts = list(facets.get(facet, ()))
        if facet == "date":
            counts = sorted(counts, key=lambda c: c.value, reverse=True)
        links = []
        for count in counts[:MAX_VALUES]:
            if facet == "date":
                first, last = days_of(count.value)
                active = (parsed.filters.get("since", ()), parsed.filters.get("until", ())) == ((first,), (last,))
                changed = (language.without_filter(language.without_filter(parsed, "since"), "until") if active else
                           language.with_filter(language.with_filter(parsed, "since", first), "until", last))
            else:
                active = count.value in understood.facet_values(facet)
                if active:
                    changed = parsed
                    for (key, typed), values in understood.means.items():
                        if key == facet and count.value in values:
                            changed = language.without_filter(changed, FACET_KEYS[facet], typed)
                else:
                    token = _token(facet, count.value, names)
                    if token is None:
                        continue
                    changed = language.with_filter(parsed, *token)
            links.append(FacetLink(value_label(facet, count.value, names), count.count,
                                   search_url(path, language.to_text(changed), order), active,
                                   f"facet-{facet}-{count.value}"))
        if links:
            groups.append(FacetGroup(facet, str(TITLES[facet]), links))
    return groups


def active_filters(understood: Understood, names: Names, *, path: str, order: Order) -> list[ActiveFilter]:
    """Every filter in force as a remove-link (a one-day date range as one)."""
    parsed = understood.search
    result = []
    since, until = parsed.filters.get("since", ()), parsed.filters.get("until", ())
    keys = {value: key for key, value in FACET_KEYS.items()}
    for key, values in parsed.filters.items():
        for value in values:
            if key in ("since", "until"):
                if since == until and key == "until":
                    continue
                widened = language.without_filter(parsed, key)
                if since == until:
                    widened = language.without_filter(widened, "until")
                    label = f"{TITLES['date']}: {day_label(value)}"
                else:
                    label = (_("From %(day)s") if key == "since" else _("Until %(day)s")) % {"day": day_label(value)}
            else:
                facet = keys[key]
                shown = ", ".join(value_label(facet, v, names) for v in sorted(understood.means[(facet, value)]))
                label = f"{TITLES[facet]}: {shown}"
                widened = language.without_filter(parsed, key, value)
            result.append(ActiveFilter(label, search_url(path, language.to_text(widened), order),
                                       f"remove-{key}-{value}"))
    return result


def typed_prefix_fallbacks(text: str) -> list[str]:
    """While the last word is still being typed, what to search for if the box as it is can't be parsed yet: the
    quotation closed (``"dobbelt tre``), else the box without its unfinished last part (``status:op``)."""
    candidates = [text + '"'] if text.count('"') % 2 else []
    head = text.rstrip().rsplit(maxsplit=1)
    candidates.append(head[0] if len(head) == 2 else "")
    return candidates


def still_typing_a_word(raw: str) -> bool:
    """Whether the box ends in a word being typed (its last part is a word, not a filter or a ticket number, and no
    space or closing quotation mark follows it): only then is the last word a prefix."""
    if not raw or raw[-1].isspace() or raw.endswith('"'):
        return False
    last = raw.split()[-1]
    key, sep, _value = last.partition(":")
    return not (sep and key.lower() in language.KEYS) and not (last.startswith("#") and last[1:].isdigit())


def parameters(data: Mapping[str, Any]) -> tuple[str, Order, int]:
    """The box, the order and the offset from the request (an unknown order or offset falls back quietly: they come
    from our own links)."""
    text = str(data.get("q", "")).strip()
    raw_order = str(data.get("order", ""))
    order: Order = "newest" if raw_order == "newest" else "relevance"
    raw_offset = str(data.get("offset", ""))
    offset = int(raw_offset) if raw_offset.isdigit() else 0
    return text, order, offset
