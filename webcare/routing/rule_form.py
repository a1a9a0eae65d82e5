"""The rule form as people use it: rows of "field — comparison — value" and the actions, in words, both ways.

Why its own module: the pages must let someone who has never seen JSON write a rule, so every field, comparison
and value has a name in the interface language, and the posted rows become the ``conditions`` list the core checks
(:func:`webcare.routing.rules.parse_rule`). Nothing here writes; the views call :mod:`webcare.routing.actions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from webcare.core.models import Channel, ChannelKind, Organisation
from webcare.inbox.templatetags.triage import INTENTS as INTENT_LABELS
from webcare.inbox.templatetags.triage import language_name
from webcare.routing.rules import (
    FIELDS,
    INTENTS,
    LIST_OPS,
    MAX_CONDITIONS,
    PRIORITIES,
    REGISTERS,
    SENTIMENTS,
    Actions,
    Condition,
)
from webcare.triage.language import DEFAULT_LANGUAGES

FIELD_LABELS: Final[dict[str, Promise]] = {
    "channel": _("Channel"),
    "language": _("Language"),
    "intent": _("What the customer wants (intent)"),
    "sentiment": _("Tone"),
    "register": _("Form of address"),
    "keywords": _("Words in the message"),
    "priority": _("Priority from triage"),
    "profane": _("Swearing"),
    "public": _("Posted in public"),
    "customer.name": _("Customer name"),
    "customer.number": _("Customer number"),
    "customer.known": _("Known customer (has a customer number)"),
    "customer.notes": _("Customer notes"),
}
OP_LABELS: Final[dict[str, Promise]] = {
    "is": _("is"),
    "is_not": _("is not"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "contains": _("contains any of"),
    "not_contains": _("contains none of"),
    "gt": _("is less urgent than"),
    "lt": _("is more urgent than"),
}
PRIORITY_LABELS: Final[dict[int, Promise]] = {1: _("1 urgent"), 2: _("2 high"), 3: _("3 normal"), 4: _("4 low")}
SENTIMENT_LABELS: Final[dict[str, Promise]] = {"negative": _("Negative"), "neutral": _("Neutral"),
                                               "positive": _("Positive")}
REGISTER_LABELS: Final[dict[str, Promise]] = {"formal": _("Formal"), "informal": _("Informal"),
                                              "unknown": _("Not clear")}
FLAG_LABELS: Final[dict[str, Promise]] = {"true": _("yes"), "false": _("no")}
#: What to type where the value is free text.
TEXT_HINTS: Final[dict[str, Promise]] = {
    "keywords": _("Words or phrases, separated by commas. Upper and lower case and accents do not matter; whole "
                  "words only; end a word with * to match its beginning (faktur* finds fakturaen)."),
    "customer.notes": _("Words or phrases, separated by commas."),
    "customer.name": _("Separate several names with commas."),
    "customer.number": _("Separate several numbers with commas."),
}


@dataclasses.dataclass
class Row:
    """One condition row of the form, with the choices its field offers and any error on it."""

    index: int
    field: str = ""
    op: str = ""
    values: list[str] = dataclasses.field(default_factory=list)
    ops: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    options: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: "select" (one of the options), "checkboxes" (several), "text" (typed) — or "" before a field is chosen.
    widget: str = ""
    hint: str = ""
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The part to give the focus to when the row is shown again: "field", "op" or "value".
    focus: str = ""

    @property
    def text_value(self) -> str:
        return ", ".join(self.values)

    @property
    def number(self) -> int:
        return self.index + 1


def _channel_options(org: Organisation) -> list[tuple[str, str]]:
    channels = [(c.slug, gettext("%(name)s (this channel)") % {"name": c.name})
                for c in Channel.objects.filter(organisation=org).order_by("name")]
    kinds = [(kind, gettext("any %(kind)s channel") % {"kind": label}) for kind, label in ChannelKind.choices]
    return channels + kinds


def value_options(org: Organisation, name: str) -> list[tuple[str, str]]:
    """The values a condition field can take, with their names (empty for free-text fields)."""
    if name == "channel":
        return _channel_options(org)
    if name == "language":
        codes = list(dict.fromkeys([*(org.languages or []), *DEFAULT_LANGUAGES]))
        return [(code, f"{language_name(code)} ({code})") for code in codes]
    if name == "intent":
        return [(intent, str(INTENT_LABELS.get(intent, intent))) for intent in INTENTS]
    if name == "sentiment":
        return [(value, str(SENTIMENT_LABELS[value])) for value in SENTIMENTS]
    if name == "register":
        return [(value, str(REGISTER_LABELS[value])) for value in REGISTERS]
    if name == "priority":
        return [(str(p), str(PRIORITY_LABELS[p])) for p in PRIORITIES]
    spec = FIELDS.get(name)
    if spec is not None and spec.kind == "flag":
        return [(value, str(label)) for value, label in FLAG_LABELS.items()]
    return []


def make_row(org: Organisation, index: int, name: str, op: str, values: Sequence[str],
             options_cache: dict[str, list[tuple[str, str]]] | None = None, *, fit_op: bool = False) -> Row:
    """A form row for ``name``/``op`` with the widget the pair needs. ``fit_op``: the field was just changed, so
    an operator it does not allow becomes its first one; otherwise an unfitting operator is kept, so the check
    names it rather than the form quietly saving another comparison."""
    spec = FIELDS.get(name)
    if spec is None:
        return Row(index=index, field="", values=list(values))
    if not op or (fit_op and op not in spec.ops):
        op = spec.ops[0]
    cache = options_cache if options_cache is not None else {}
    if name not in cache:
        cache[name] = value_options(org, name)
    options = cache[name]
    if not options:
        widget = "text"
    elif op in LIST_OPS or (op not in spec.ops and len(values) > 1):
        widget = "checkboxes"
    else:
        widget = "select"
    clean = [str(v).strip() for v in values if str(v).strip()]
    return Row(index=index, field=name, op=op, values=clean, ops=[(o, str(OP_LABELS[o])) for o in spec.ops],
               options=options, widget=widget, hint=str(TEXT_HINTS.get(name, "")))


def field_choices() -> list[tuple[str, str]]:
    return [(name, str(label)) for name, label in FIELD_LABELS.items()]


# -- posted form ⇄ rule data ------------------------------------------------------------------------------------------


def as_strings(value: Any) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return ["true" if v is True else "false" if v is False else str(v) for v in values]


def rows_from_conditions(org: Organisation, conditions: Sequence[Mapping[str, Any]]) -> list[Row]:
    cache: dict[str, list[tuple[str, str]]] = {}
    return [make_row(org, i, str(c.get("field", "")), str(c.get("op", "")), as_strings(c.get("value", "")), cache)
            for i, c in enumerate(conditions)]


def posted_row(post: QueryDict, index: int) -> tuple[str, str, list[str]]:
    """The raw field, operator and values of row ``index`` as posted."""
    return (post.get(f"c{index}-field", "").strip(), post.get(f"c{index}-op", "").strip(),
            [v for v in post.getlist(f"c{index}-value") if v.strip()])


def posted_rows(org: Organisation, post: QueryDict) -> list[Row]:
    """The condition rows as posted, without blank ones, renumbered; "remove" drops a row, "add" adds a blank one."""
    try:
        count = min(int(post.get("rows", "0")), MAX_CONDITIONS + 5)
    except ValueError:
        count = 0
    removed = post.get("remove", "")
    raw = [posted_row(post, i) for i in range(count) if str(i) != removed]
    kept = [(name, op, values) for name, op, values in raw if name or values]
    cache: dict[str, list[tuple[str, str]]] = {}
    rows = [make_row(org, i, name, op, values, cache) for i, (name, op, values) in enumerate(kept)]
    for row, (name, _op, _values) in zip(rows, kept, strict=True):
        if name and not row.field:  # an unknown field posted: keep it so the error can name it
            row.field = name
    if "add" in post:
        rows.append(Row(index=len(rows), focus="field"))
    return rows


def condition_data(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """The ``conditions`` list for :func:`~webcare.routing.rules.parse_rule` from the form's rows."""
    out = []
    for row in rows:
        if row.op in LIST_OPS:
            value: Any = [part.strip() for v in row.values for part in v.split(",") if part.strip()]
        else:
            value = row.values[0] if len(row.values) == 1 else row.values
        out.append({"field": row.field, "op": row.op, "value": value})
    return out


def posted_actions(post: QueryDict) -> dict[str, Any]:
    return {
        "team": post.get("team", ""), "priority": post.get("priority", ""), "labels": post.get("labels", ""),
        "assign": post.get("assign", ""), "auto_reply": post.get("auto_reply", ""), "spam": post.get("spam") == "on",
    }


def _filled(rows: Sequence[Row]) -> list[Row]:
    """The rows that hold a condition (a blank row just added holds none); their order is the conditions' order."""
    return [row for row in rows if row.field or row.values]


def posted_rule(org: Organisation, post: QueryDict) -> tuple[dict[str, Any], list[Row]]:
    """The rule data to check and save, and the rows to show again."""
    rows = posted_rows(org, post)
    filled = _filled(rows)
    data = {"name": post.get("name", ""), "conditions": condition_data(filled), "actions": posted_actions(post),
            "stop": post.get("stop") == "on", "is_active": post.get("is_active") == "on"}
    return data, rows


def place_errors(errors: Sequence[tuple[str, str]], rows: Sequence[Row]) -> dict[str, str]:
    """Put ``conditions[i].x`` errors on their rows; return the others by field (``name``, ``actions.team`` …)."""
    filled = _filled(rows)
    others: dict[str, str] = {}
    for where, message in errors:
        if where.startswith("conditions["):
            index_text, _sep, rest = where[len("conditions["):].partition("]")
            if index_text.isdigit() and int(index_text) < len(filled):
                part = rest.lstrip(".") or "field"
                filled[int(index_text)].errors.setdefault(part, message)
                continue
        others.setdefault(where, message)
    return others


PART_LABELS: Final[dict[str, Promise]] = {"field": _("looks at"), "op": _("comparison"), "value": _("value")}
FORM_FIELD_LABELS: Final[dict[str, Promise]] = {
    "name": _("Name"), "conditions": _("Conditions"), "actions": _("Then"), "actions.team": _("Team"),
    "actions.priority": _("Priority"), "actions.labels": _("Add labels"), "actions.assign": _("Assign to"),
    "actions.auto_reply": _("Automatic reply"), "actions.spam": _("It is spam"), "actor": _("You"),
    "rule": _("Rule"),
}


def field_name(where: str) -> str:
    """An error's field path as the form names it: ``conditions[1].op`` → "Condition 2, comparison"."""
    if where.startswith("conditions["):
        index_text, _sep, rest = where[len("conditions["):].partition("]")
        if index_text.isdigit():
            part = PART_LABELS.get(rest.lstrip("."))
            name = gettext("Condition %(n)d") % {"n": int(index_text) + 1}
            return f"{name}, {part}" if part else name
    return str(FORM_FIELD_LABELS.get(where, where))


# -- in words ---------------------------------------------------------------------------------------------------------


def value_words(org_options: Mapping[str, str], values: Sequence[str]) -> str:
    return ", ".join(org_options.get(v, v) for v in values)


def describe_condition(condition: Condition | Mapping[str, Any], options: Mapping[str, str] | None = None) -> str:
    """"Tone is Negative", "Words in the message contains any of: refund, money back"."""
    value: Any
    if isinstance(condition, Condition):
        name, op, value = condition.field, condition.op, condition.value
    else:
        name, op, value = str(condition.get("field")), str(condition.get("op")), condition.get("value")
    values = as_strings(value)
    label = str(FIELD_LABELS.get(name, name))
    words = value_words(options or {}, values)
    if FIELDS.get(name) is not None and FIELDS[name].kind == "flag":
        words = str(FLAG_LABELS.get(values[0] if values else "", words))
    if op in LIST_OPS:
        return f"{label} {OP_LABELS.get(op, op)}: {words}"
    return f"{label} {OP_LABELS.get(op, op)} {words}"


def describe_actions(actions: Actions | Mapping[str, Any], team_names: Mapping[str, str],
                     agent_names: Mapping[str, str]) -> list[str]:
    """The actions in words, one line each."""
    data = actions.as_json() if isinstance(actions, Actions) else dict(actions)
    lines = []
    if data.get("spam"):
        lines.append(gettext("Spam: label it “spam”, mark it solved with no reply needed, assign nobody"))
    if data.get("team"):
        lines.append(gettext("Team: %(team)s") % {"team": team_names.get(data["team"], data["team"])})
    if data.get("priority"):
        lines.append(gettext("Priority: %(priority)s") % {"priority": PRIORITY_LABELS.get(int(data["priority"]), "")})
    if data.get("labels"):
        lines.append(gettext("Add labels: %(labels)s") % {"labels": ", ".join(data["labels"])})
    if data.get("assign") == "auto":
        lines.append(gettext("Assign: automatically, within the team"))
    elif data.get("assign"):
        lines.append(gettext("Assign to %(name)s") % {"name": agent_names.get(data["assign"], data["assign"])})
    if data.get("auto_reply"):
        lines.append(gettext("Automatic reply: “%(text)s”") % {"text": data["auto_reply"]})
    return lines
