"""Routing rules, the pure core: ordered rules of conditions → actions, checked, then applied to one ticket's facts.

A rule says *when* (conditions, all of which must hold) and *then* (actions: a team, a priority, labels, an assignee,
an automatic reply, or "this is spam"). Rules run in their order. Why the merge is "first match wins" for team,
priority, assignee and automatic reply while labels add up: a rule list reads top-down like a policy ("sales leads to
sales; everything else to customer service"), so an earlier, more specific rule must not be overridden by a later,
broader one; labels are tags, and every rule that matched may add its own. A rule with ``stop`` (the default) ends
the run for that ticket; with ``stop`` off, the rules below it are tried too.

Nothing here reads the database or the clock: :func:`parse_rule` validates a rule (pydantic, with errors naming the
field: ``conditions[1].op: …``), :func:`route` decides for one :class:`Facts`. The ingestion step
(``route_step.py``), the staff pages and the test mode call these same functions, so the test mode shows exactly what
ingestion would do.

Same service for everyone: there is no condition on follower counts, reach or verified badges — a rule that asks
for one is refused with a message saying why — so priority and order never depend on who the customer is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from webcare.core.models import ChannelKind
from webcare.triage.intent import INTENTS
from webcare.triage.sentiment import LABELS as SENTIMENTS

# -- the vocabulary ---------------------------------------------------------------------------------------------------

IS, IS_NOT, IN, NOT_IN, CONTAINS, NOT_CONTAINS, GT, LT = (
    "is", "is_not", "in", "not_in", "contains", "not_contains", "gt", "lt")
#: Operators whose value is a list; the others take one value.
LIST_OPS: Final = frozenset({IN, NOT_IN, CONTAINS, NOT_CONTAINS})
CHOICE_OPS: Final = (IS, IS_NOT, IN, NOT_IN)
REGISTERS: Final = ("formal", "informal", "unknown")
PRIORITIES: Final = (1, 2, 3, 4)
#: The label routing gives spam; the inbox's "spam" view lists it (webcare/inbox/queues.py ``SPAM_LABEL``).
SPAM_LABEL: Final = "spam"

MAX_NAME: Final = 200
MAX_CONDITIONS: Final = 20
MAX_VALUES: Final = 200
MAX_KEYWORD: Final = 100
MAX_LABEL: Final = 64  # Label.name
MAX_LABELS: Final = 10
MAX_AUTO_REPLY: Final = 2_000


@dataclass(frozen=True)
class FieldSpec:
    """What one condition field reads and how it may be compared.

    ``kind``: ``choice`` (one of ``choices``, or any code matching ``pattern``), ``words`` (words and phrases looked
    for in a text), ``text`` (an exact value, compared case- and accent-insensitively), ``number`` (priority) or
    ``flag`` (yes/no).
    """

    name: str
    kind: str
    ops: tuple[str, ...]
    choices: tuple[str, ...] = ()
    pattern: str = ""


FIELDS: Final[dict[str, FieldSpec]] = {spec.name: spec for spec in (
    # A channel kind (facebook, email …) or the slug of one of the organisation's channels.
    FieldSpec("channel", "choice", CHOICE_OPS, tuple(ChannelKind.values), r"^[a-z0-9][a-z0-9-]{0,62}$"),
    FieldSpec("language", "choice", CHOICE_OPS, pattern=r"^[a-z]{2,3}$"),
    FieldSpec("intent", "choice", CHOICE_OPS, INTENTS),
    FieldSpec("sentiment", "choice", CHOICE_OPS, SENTIMENTS),
    FieldSpec("register", "choice", CHOICE_OPS, REGISTERS),
    FieldSpec("keywords", "words", (CONTAINS, NOT_CONTAINS)),
    FieldSpec("priority", "number", (IS, IS_NOT, IN, NOT_IN, GT, LT)),
    FieldSpec("profane", "flag", (IS,)),
    FieldSpec("public", "flag", (IS,)),
    FieldSpec("customer.name", "text", (IS, IS_NOT, IN, NOT_IN, CONTAINS, NOT_CONTAINS)),
    FieldSpec("customer.number", "text", CHOICE_OPS),
    FieldSpec("customer.known", "flag", (IS,)),
    FieldSpec("customer.notes", "words", (CONTAINS, NOT_CONTAINS)),
)}
#: Words that name who a customer is rather than what they wrote; a field ending in one is refused, with the reason.
REACH_WORDS: Final = ("follower", "followers", "follower_count", "followers_count", "reach", "verified", "influence",
                      "influencer", "audience", "subscribers", "fans")

_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})


# -- text: case- and accent-insensitive, whole words -----------------------------------------------------------------

#: Letters Unicode does not decompose, spelt the way people type them without the key (ø → o, æ → ae).
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ł": "l"})
_COMBINING = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """``text`` in lower case without accents (Å → a, é → e, ø → o), so "Bredbånd" and "bredband" are one word."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold())).translate(_LETTERS)


def words_line(text: str) -> str:
    """The text's words, folded and joined by single spaces, with a space at each end: " hei bredbandet er nede "."""
    return " " + " ".join(_WORD.findall(fold(text))) + " "


def keyword_needle(keyword: str) -> str:
    """What to look for in a :func:`words_line` to find ``keyword`` as whole words ("" when it has no words).

    Punctuation and spacing do not count, in the keyword or the text ("wi-fi" finds "wi fi"); a trailing ``*`` makes
    the last word a prefix ("faktur*" finds "fakturaen"). Why substring search over a words line and not a regular
    expression: it is a few hundred nanoseconds a keyword, and an organisation's rules can hold hundreds of keywords
    that every new ticket is checked against.
    """
    words = _WORD.findall(fold(keyword))
    if not words:
        return ""
    return " " + " ".join(words) + ("" if keyword.rstrip().endswith("*") else " ")


# -- facts: what routing knows about one ticket ----------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """One new ticket as the rules see it: its triage, its first message and its customer.

    ``text`` is the message's redacted text (personal data replaced by placeholders), so no rule ever matches on a
    customer's phone number or e-mail address. There is no follower count here on purpose.
    """

    channel_kind: str = ""
    channel_slug: str = ""
    language: str = ""
    intents: tuple[str, ...] = ()
    sentiment: str = ""
    register: str = ""
    text: str = ""
    priority: int = 3
    profane: bool = False
    public: bool = False
    #: Personal data posted in public: triage made the ticket urgent, and no rule makes it less so.
    public_pii: bool = False
    customer_name: str = ""
    customer_number: str = ""
    customer_notes: str = ""

    @cached_property
    def text_words(self) -> str:
        return words_line(self.text)

    @cached_property
    def text_words_set(self) -> frozenset[str]:
        return frozenset(self.text_words.split())

    @cached_property
    def notes_words_set(self) -> frozenset[str]:
        return frozenset(self.notes_words.split())

    @cached_property
    def name_words_set(self) -> frozenset[str]:
        return frozenset(self.name_words.split())

    @cached_property
    def notes_words(self) -> str:
        return words_line(self.customer_notes)

    @cached_property
    def name_words(self) -> str:
        return words_line(self.customer_name)

    @cached_property
    def folded_name(self) -> str:
        return fold(self.customer_name).strip()

    def value_of(self, name: str) -> Any:
        """The fact a condition field reads (``channel`` is the pair kind, slug)."""
        return {
            "channel": (self.channel_kind, self.channel_slug), "language": self.language, "intent": self.intents,
            "sentiment": self.sentiment, "register": self.register, "keywords": self.text,
            "priority": self.priority, "profane": self.profane, "public": self.public,
            "customer.name": self.customer_name, "customer.number": self.customer_number,
            "customer.known": bool(self.customer_number.strip()), "customer.notes": self.customer_notes,
        }[name]


# -- rules ------------------------------------------------------------------------------------------------------------

Value = str | int | bool | tuple[str, ...] | tuple[int, ...]


@dataclass(frozen=True)
class Condition:
    """One checked condition; ``value`` is a tuple for the list operators, else one value."""

    field: str
    op: str
    value: Value

    @cached_property
    def needles(self) -> dict[str, str]:
        """For the word operators: what to look for in the words line → the keyword as written."""
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        return {needle: str(v) for v in values if (needle := keyword_needle(str(v)))}

    @cached_property
    def matches(self) -> Callable[[Facts], bool]:
        """The condition as one small function of the facts, built once per rule load (see :func:`_matcher`)."""
        return _matcher(self)

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op,
                "value": list(self.value) if isinstance(self.value, tuple) else self.value}


@dataclass(frozen=True)
class Actions:
    """What a matching rule does. None / empty / False: the rule leaves that alone."""

    team: str | None = None
    priority: int | None = None
    labels: tuple[str, ...] = ()
    #: "auto": leave the choice to automatic assignment (and keep later rules from naming someone); else a username.
    assign: str | None = None
    auto_reply: str | None = None
    spam: bool = False

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.team:
            out["team"] = self.team
        if self.priority is not None:
            out["priority"] = self.priority
        if self.labels:
            out["labels"] = list(self.labels)
        if self.assign:
            out["assign"] = self.assign
        if self.auto_reply:
            out["auto_reply"] = self.auto_reply
        if self.spam:
            out["spam"] = True
        return out


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: tuple[Condition, ...]
    actions: Actions
    stop: bool = True
    is_active: bool = True
    id: int | None = None

    def conditions_json(self) -> list[dict[str, Any]]:
        return [condition.as_json() for condition in self.conditions]


@dataclass(frozen=True)
class Context:
    """What a rule may name in one organisation; None skips that check (the pure tests, stored rules)."""

    teams: frozenset[str] | None = None
    assignees: frozenset[str] | None = None
    channels: frozenset[str] | None = None


class RuleError(ValueError):
    """A rule that cannot be saved as given: ``errors`` is a list of (field path, message), e.g.
    ``("conditions[1].op", "…")``."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {message}" for where, message in errors))
        self.errors = errors


def _error(message: str, **params: Any) -> PydanticCustomError:
    return PydanticCustomError("routing_rule", message % params if params else message)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _error(_("choose yes or no"))


def _priority(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number not in PRIORITIES:
        raise _error(_("a priority is 1 (urgent), 2 (high), 3 (normal) or 4 (low)"))
    return number


def _choice(spec: FieldSpec, value: Any, context: Context) -> str:
    text = str(value).strip()
    if spec.name == "channel":
        known = set(spec.choices) | (context.channels or set())
        if text in known or (context.channels is None and re.match(spec.pattern, text)):
            return text
        raise _error(_("no channel kind or channel called “%(value)s”; use one of: %(known)s"),
                     value=text, known=", ".join(sorted(known)))
    if spec.choices:
        if text not in spec.choices:
            raise _error(_("“%(value)s” is not one of: %(known)s"), value=text, known=", ".join(spec.choices))
        return text
    if not re.match(spec.pattern, text):
        raise _error(_("“%(value)s” is not a language code such as nb, sv or en"), value=text)
    return text


def _words(values: list[Any]) -> tuple[str, ...]:
    words: dict[str, None] = {}
    for raw in values:
        text = " ".join(str(raw).split())
        if not _WORD.search(text):
            raise _error(_("“%(value)s” has no letters or digits to look for"), value=text)
        if len(text) > MAX_KEYWORD:
            raise _error(_("a word or phrase can have at most %(n)d characters"), n=MAX_KEYWORD)
        words[text] = None
    return tuple(words)


def check_value(spec: FieldSpec, op: str, raw: Any, context: Context) -> Value:
    """The condition's value, normalised (a tuple for the list operators), or a pydantic error naming what is wrong."""
    if op in LIST_OPS:
        values = _list(raw)
        if not values:
            raise _error(_("give at least one value"))
        if len(values) > MAX_VALUES:
            raise _error(_("at most %(n)d values"), n=MAX_VALUES)
        if spec.kind == "words" or op in (CONTAINS, NOT_CONTAINS):
            return _words(values)
        if spec.kind == "number":
            return tuple(dict.fromkeys(_priority(v) for v in values))
        if spec.kind == "text":
            return tuple(dict.fromkeys(" ".join(str(v).split()) for v in values))
        return tuple(dict.fromkeys(_choice(spec, v, context) for v in values))
    values = [v for v in raw if str(v).strip()] if isinstance(raw, list | tuple) else [raw]
    if len(values) != 1 or values[0] is None or str(values[0]).strip() == "":
        raise _error(_("give exactly one value (use “is one of” for several)"))
    value = values[0]
    if spec.kind == "flag":
        return _flag(value)
    if spec.kind == "number":
        return _priority(value)
    if spec.kind == "text":
        return " ".join(str(value).split())
    return _choice(spec, value, context)


def _context(info: ValidationInfo) -> Context:
    context = info.context or {}
    found = context.get("routing")
    return found if isinstance(found, Context) else Context()


class ConditionIn(BaseModel):
    """One condition as stored and as posted: ``{"field": …, "op": …, "value": …}``."""

    model_config = ConfigDict(extra="forbid")

    field: str
    op: str
    value: Any = Field(default=None, validate_default=True)

    @field_validator("field", mode="before")
    @classmethod
    def _check_field(cls, value: Any) -> str:
        name = str(value or "").strip()
        if not name:
            raise _error(_("choose what the condition looks at"))
        last = name.rsplit(".", 1)[-1].lower()
        if last in REACH_WORDS:
            raise _error(_("“%(field)s” cannot be used: routing never depends on follower counts or reach — every "
                           "customer gets the same service"), field=name)
        if name not in FIELDS:
            raise _error(_("unknown field “%(field)s”; use one of: %(known)s"), field=name,
                         known=", ".join(FIELDS))
        return name

    @field_validator("op", mode="before")
    @classmethod
    def _check_op(cls, value: Any, info: ValidationInfo) -> str:
        op = str(value or "").strip()
        spec = FIELDS.get(info.data.get("field", ""))
        if spec is not None and op not in spec.ops:
            raise _error(_("“%(op)s” does not work with %(field)s; use one of: %(ops)s"), op=op, field=spec.name,
                         ops=", ".join(spec.ops))
        return op

    @field_validator("value", mode="before")
    @classmethod
    def _check_value(cls, value: Any, info: ValidationInfo) -> Any:
        spec = FIELDS.get(info.data.get("field", ""))
        op = info.data.get("op")
        if spec is None or op not in spec.ops:
            return value  # the field or the operator is wrong already; that error says what to fix
        return check_value(spec, op, value, _context(info))


class ActionsIn(BaseModel):
    """The rule's actions as stored and as posted."""

    model_config = ConfigDict(extra="forbid")

    team: Any = None
    priority: Any = None
    labels: Any = Field(default=None, validate_default=True)
    assign: Any = None
    auto_reply: Any = None
    spam: Any = Field(default=False, validate_default=True)

    @field_validator("team", mode="before")
    @classmethod
    def _check_team(cls, value: Any, info: ValidationInfo) -> str | None:
        slug = str(value or "").strip()
        if not slug:
            return None
        teams = _context(info).teams
        if teams is not None and slug not in teams:
            raise _error(_("there is no team “%(team)s”"), team=slug)
        return slug

    @field_validator("priority", mode="before")
    @classmethod
    def _check_priority(cls, value: Any) -> int | None:
        if value is None or str(value).strip() == "":
            return None
        return _priority(value)

    @field_validator("labels", mode="before")
    @classmethod
    def _check_labels(cls, value: Any) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for raw in _list(value):
            name = str(raw).strip()
            if len(name) > MAX_LABEL:
                raise _error(_("a label can have at most %(n)d characters"), n=MAX_LABEL)
            if name:
                names[name] = None
        if len(names) > MAX_LABELS:
            raise _error(_("at most %(n)d labels"), n=MAX_LABELS)
        return tuple(names)

    @field_validator("assign", mode="before")
    @classmethod
    def _check_assign(cls, value: Any, info: ValidationInfo) -> str | None:
        name = str(value or "").strip()
        if not name:
            return None
        assignees = _context(info).assignees
        if name != "auto" and assignees is not None and name not in assignees:
            raise _error(_("“%(name)s” is not an active agent, supervisor or admin here"), name=name)
        return name

    @field_validator("auto_reply", mode="before")
    @classmethod
    def _check_auto_reply(cls, value: Any) -> str | None:
        text = str(value or "").strip()
        if len(text) > MAX_AUTO_REPLY:
            raise _error(_("an automatic reply can have at most %(n)d characters"), n=MAX_AUTO_REPLY)
        return text or None

    @field_validator("spam", mode="before")
    @classmethod
    def _check_spam(cls, value: Any) -> bool:
        return False if value in (None, "") else _flag(value)

    @model_validator(mode="after")
    def _check_together(self) -> ActionsIn:
        if not (self.team or self.priority or self.labels or self.assign or self.auto_reply or self.spam):
            raise _error(_("a rule needs at least one action: a team, a priority, labels, an assignee, an "
                           "automatic reply, or spam"))
        if self.spam and self.assign and self.assign != "auto":
            raise _error(_("spam is never assigned: leave “assign” empty on a spam rule"))
        if self.spam and self.auto_reply:
            raise _error(_("spam gets no reply: leave the automatic reply empty on a spam rule"))
        return self


class RuleIn(BaseModel):
    """A whole rule as stored and as posted."""

    model_config = ConfigDict(extra="forbid")

    name: str
    conditions: list[ConditionIn] = []
    actions: ActionsIn
    stop: bool = True
    is_active: bool = True

    @field_validator("name", mode="before")
    @classmethod
    def _check_name(cls, value: Any) -> str:
        name = " ".join(str(value or "").split())
        if not name:
            raise _error(_("a rule needs a name"))
        if len(name) > MAX_NAME:
            raise _error(_("at most %(n)d characters"), n=MAX_NAME)
        return name

    @field_validator("conditions", mode="after")
    @classmethod
    def _check_count(cls, value: list[ConditionIn]) -> list[ConditionIn]:
        if len(value) > MAX_CONDITIONS:
            raise _error(_("at most %(n)d conditions"), n=MAX_CONDITIONS)
        return value


def error_path(loc: Sequence[str | int]) -> str:
    """pydantic's location as people write it: ``("conditions", 1, "op")`` → ``conditions[1].op``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "rule"


def parse_rule(data: dict[str, Any], context: Context | None = None, rule_id: int | None = None) -> Rule:
    """Validate ``data`` (``name``, ``conditions``, ``actions``, ``stop``, ``is_active``) into a :class:`Rule`.

    Raises :class:`RuleError` with every problem found, each naming its field.
    """
    try:
        checked = RuleIn.model_validate(data, context={"routing": context or Context()})
    except ValidationError as exc:
        raise RuleError([(error_path(e["loc"]), e["msg"])
                         for e in exc.errors(include_url=False, include_input=False)]) from None
    actions = checked.actions
    return Rule(
        name=checked.name,
        conditions=tuple(Condition(c.field, c.op, c.value) for c in checked.conditions),
        actions=Actions(team=actions.team, priority=actions.priority, labels=actions.labels, assign=actions.assign,
                        auto_reply=actions.auto_reply, spam=actions.spam),
        stop=checked.stop, is_active=checked.is_active, id=rule_id,
    )


# -- deciding ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One condition checked against the facts: did it hold, what the ticket had, and which words were found."""

    condition: Condition
    holds: bool
    actual: Any
    found: str = ""


#: Condition fields that are one attribute of :class:`Facts`, compared as they are.
_PLAIN_FIELDS: Final = {"language": "language", "sentiment": "sentiment", "register": "register",
                        "priority": "priority", "profane": "profane", "public": "public"}
#: Word fields: the words line of :class:`Facts` they search.
_WORD_FIELDS: Final = {"keywords": "text_words", "customer.notes": "notes_words", "customer.name": "name_words"}


def _words_matcher(attribute: str, needles: tuple[str, ...], positive: bool) -> Callable[[Facts], bool]:
    """Single whole words are one set test against the message's words; phrases and prefixes are substring tests
    on its words line."""
    is_single = [n.endswith(" ") and n.count(" ") == 2 for n in needles]  # " word ", not " two words " or " pre"
    single = frozenset(n.strip() for n, one in zip(needles, is_single, strict=True) if one)
    others = tuple(n for n, one in zip(needles, is_single, strict=True) if not one)
    words_of = f"{attribute}_set"

    def matches(facts: Facts) -> bool:
        if not single.isdisjoint(getattr(facts, words_of)):
            return positive
        line = getattr(facts, attribute)
        for needle in others:
            if needle in line:
                return positive
        return not positive

    return matches


def _matcher(condition: Condition) -> Callable[[Facts], bool]:
    """A function telling whether ``condition`` holds for some facts. Why closures: every new ticket is checked
    against every rule, so each check is reduced to an attribute read and one set or substring test."""
    name, op, value = condition.field, condition.op, condition.value
    positive = op in (IS, IN, CONTAINS, GT)
    if op in (CONTAINS, NOT_CONTAINS):
        return _words_matcher(_WORD_FIELDS[name], tuple(condition.needles), positive)
    wanted = frozenset(value if isinstance(value, tuple) else (value,))
    if op in (GT, LT):
        limit = int(value)  # type: ignore[arg-type]
        return (lambda facts: facts.priority > limit) if op == GT else (lambda facts: facts.priority < limit)
    if name == "channel":
        return lambda facts: (facts.channel_kind in wanted or facts.channel_slug in wanted) == positive
    if name == "intent":
        return lambda facts: (not wanted.isdisjoint(facts.intents)) == positive
    if name == "customer.known":
        return lambda facts: bool(facts.customer_number.strip()) == value
    if name == "customer.name":
        folded = frozenset(fold(str(v)).strip() for v in wanted)
        return lambda facts: (facts.folded_name in folded) == positive
    if name == "customer.number":
        numbers = frozenset(str(v).strip() for v in wanted)
        return lambda facts: (facts.customer_number.strip() in numbers) == positive
    attribute = _PLAIN_FIELDS[name]
    return lambda facts: (getattr(facts, attribute) in wanted) == positive


def check(condition: Condition, facts: Facts) -> Check:
    """Whether ``condition`` holds for ``facts``, with what the ticket had (for the test mode's "why")."""
    holds = condition.matches(facts)
    found = ""
    if condition.op in (CONTAINS, NOT_CONTAINS):
        line = getattr(facts, _WORD_FIELDS[condition.field])
        for needle in condition.needles:
            if (start := line.find(needle)) >= 0:  # the words as the message has them (folded), to the word's end
                found = line[start + 1:line.find(" ", start + len(needle) - 1)]
                break
    return Check(condition, holds, facts.value_of(condition.field), found)


@dataclass(frozen=True)
class RuleCheck:
    """One rule tried for the test mode: whether it matched, each condition's result, or that an earlier rule
    stopped the run before it."""

    rule: Rule
    matched: bool
    checks: tuple[Check, ...] = ()
    skipped: bool = False


@dataclass(frozen=True)
class Decision:
    """What the rules decided for one ticket. ``matched``: the rules that matched, in order."""

    matched: tuple[Rule, ...] = ()
    team: str | None = None
    priority: int | None = None
    labels: tuple[str, ...] = ()
    assign: str | None = None
    auto_reply: str | None = None
    spam: bool = False
    #: Spam is solved (with "no reply needed") — except with personal data in public, which a person must hide.
    solve: bool = False
    #: The rule's priority was less urgent than triage's on a ticket with personal data in public: kept urgent.
    priority_kept: bool = False
    explanation: tuple[RuleCheck, ...] = field(default=(), compare=False)

    @property
    def routed_by(self) -> str:
        """The rule named on the ticket ("why is it here?"): the first that matched."""
        return self.matched[0].name if self.matched else ""


def route(rules: Sequence[Rule], facts: Facts, *, explain: bool = False) -> Decision:
    """Run the active ``rules`` in order for ``facts``.

    First match wins for team, priority, assignee and automatic reply; labels from every matching rule add up; any
    matching spam rule makes it spam. A matching rule with ``stop`` ends the run. With ``explain`` every condition of
    every rule tried is checked and reported (the test mode); otherwise a rule stops at its first failing condition.
    """
    matched: list[Rule] = []
    trace: list[RuleCheck] = []
    stopped = False
    for rule in rules:
        if not rule.is_active:
            continue
        if stopped:
            if explain:
                trace.append(RuleCheck(rule, matched=False, skipped=True))
            continue
        if explain:
            checks = tuple(check(condition, facts) for condition in rule.conditions)
            hit = all(c.holds for c in checks)
            trace.append(RuleCheck(rule, matched=hit, checks=checks))
        else:
            hit = True
            for condition in rule.conditions:  # a loop, not all(): this runs for every rule and every new ticket
                if not condition.matches(facts):
                    hit = False
                    break
        if hit:
            matched.append(rule)
            stopped = rule.stop
    return decide(matched, facts, tuple(trace))


_NO_DECISION: Final = Decision()


def decide(matched: Sequence[Rule], facts: Facts, explanation: tuple[RuleCheck, ...] = ()) -> Decision:
    """Merge the actions of the rules that matched (see :func:`route`), then keep the two safety rules: spam is never
    assigned or answered, and personal data in public stays at least as urgent as triage made it."""
    if not matched and not explanation:
        return _NO_DECISION
    team = priority = assign = auto_reply = None
    labels: dict[str, None] = {}
    spam = False
    for rule in matched:  # first match wins: only fill what is still unset
        actions = rule.actions
        team = team or actions.team
        priority = priority if priority is not None else actions.priority
        assign = assign or actions.assign
        auto_reply = auto_reply or actions.auto_reply
        spam = spam or actions.spam
        labels.update(dict.fromkeys(actions.labels))
    if spam:
        labels[SPAM_LABEL] = None
        assign = auto_reply = None
    kept = False
    if facts.public_pii and priority is not None and priority > facts.priority:
        priority, kept = facts.priority, True
    return Decision(matched=tuple(matched), team=team, priority=priority, labels=tuple(labels), assign=assign,
                    auto_reply=auto_reply, spam=spam, solve=spam and not facts.public_pii, priority_kept=kept,
                    explanation=explanation)


def uses_customer(rules: Iterable[Rule]) -> bool:
    """Whether any rule reads customer fields (the ingestion step loads customers only then)."""
    return any(c.field.startswith("customer.") for rule in rules for c in rule.conditions)
