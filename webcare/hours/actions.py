"""The only writers of opening hours, special days and automatic-reply templates on behalf of a person (an
organisation's admins, from ``/staff/hours/``).

Each function locks the organisation row (two admins' changes are serialised), checks that ``actor`` is an active
admin of it, validates every input and raises :class:`~webcare.tickets.actions.ActionError` naming the field at
fault, and writes in one transaction: a refused request stores nothing. Weekly hours are given as people type them,
one text per weekday (``"08:00-16:00, 18:00-20:00"``), and stored in the model's JSON form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webcare.core.models import Channel, Organisation, Team
from webcare.hours.models import AutoReplyKind, AutoReplyTemplate, OpeningHours, SpecialDay
from webcare.hours.replies import TemplateError, check_placeholders
from webcare.hours.schedule import (
    WEEKDAYS,
    ScheduleError,
    check_holidays,
    check_time_zone,
    intervals_json,
    parse_intervals_text,
)
from webcare.hours.wording import normalise_language
from webcare.staff.actions import is_admin
from webcare.tickets.actions import ActionError

MAX_NAME: Final = 200
MAX_TEMPLATE: Final = 2000
_LANGUAGE: Final = re.compile(r"^[a-z]{2,3}$")


def _lock_as_admin(org: Organisation, actor: Any) -> Organisation:
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    if not is_admin(actor, locked):
        raise ActionError("actor", _("only an admin of %(org)s can change its opening hours and automatic replies")
                          % {"org": org.name})
    return locked


def _name(value: str, field: str = "name", required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ActionError(field, _("a name is needed"))
    if len(value) > MAX_NAME:
        raise ActionError(field, _("at most %(n)d characters") % {"n": MAX_NAME})
    return value


def _scope(org: Organisation, scope: str) -> tuple[Team | None, Channel | None]:
    """``"default"``, ``"team:<id>"`` or ``"channel:<id>"`` → the team or channel (of this organisation)."""
    kind, _sep, raw_id = (scope or "").partition(":")
    if kind == "default" and not raw_id:
        return None, None
    if kind in ("team", "channel") and raw_id.isdigit():
        if kind == "team":
            team = Team.objects.filter(organisation=org, pk=int(raw_id)).first()
            if team is not None:
                return team, None
        else:
            channel = Channel.objects.filter(organisation=org, pk=int(raw_id)).first()
            if channel is not None:
                return None, channel
    raise ActionError("scope", _("choose the whole organisation, one of its teams or one of its channels"))


def parse_weekly_texts(weekly: Mapping[int | str, str]) -> dict[str, list[list[str]]]:
    """One text per weekday (``weekly_0`` … ``weekly_6`` in the form) → the stored JSON; errors name the day's field."""
    stored: dict[str, list[list[str]]] = {}
    for day in range(7):
        text = weekly.get(day, weekly.get(str(day), "")) or ""
        try:
            intervals = parse_intervals_text(text, f"weekly_{day}", WEEKDAYS[day])
        except ScheduleError as exc:
            raise ActionError(exc.field, exc.message) from exc
        if intervals:
            stored[str(day)] = intervals_json(intervals)
    return stored


def do_save_hours(org: Organisation, actor: Any, *, hours: OpeningHours | None = None, name: str, time_zone: str,
                  scope: str, weekly: Mapping[int | str, str], holiday_country: str = "",
                  holiday_subdivision: str = "", always_open: bool = False) -> OpeningHours:
    """Create (``hours`` None) or change one organisation's opening hours: for the whole organisation, a team or a
    channel (one each at most)."""
    with transaction.atomic():
        org = _lock_as_admin(org, actor)
        if hours is not None and hours.organisation_id != org.pk:
            raise ActionError("hours", _("these opening hours belong to another organisation"))
        clean_name = _name(name)
        try:
            zone = check_time_zone(time_zone)
        except ScheduleError as exc:
            raise ActionError(exc.field, exc.message) from exc
        team, channel = _scope(org, scope)
        stored_weekly = parse_weekly_texts(weekly)
        try:
            country, subdivision = check_holidays(holiday_country, holiday_subdivision)
        except ScheduleError as exc:
            raise ActionError(exc.field, exc.message) from exc
        taken = OpeningHours.objects.filter(organisation=org, team=team, channel=channel)
        if hours is not None:
            taken = taken.exclude(pk=hours.pk)
        if taken.exists():
            raise ActionError("scope", _("%(what)s has opening hours already; change those instead")
                              % {"what": _scope_name(team, channel)})
        row = hours or OpeningHours(organisation=org)
        row.name, row.time_zone, row.team, row.channel = clean_name, zone, team, channel
        row.weekly, row.holiday_country, row.holiday_subdivision = stored_weekly, country, subdivision
        row.always_open = bool(always_open)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise ActionError("scope", _("%(what)s has opening hours already; change those instead")
                              % {"what": _scope_name(team, channel)}) from exc
        return row


def _scope_name(team: Team | None, channel: Channel | None) -> str:
    if team is not None:
        return _("The team %(name)s") % {"name": team.name}
    if channel is not None:
        return _("The channel %(name)s") % {"name": channel.name}
    return _("The organisation")


def do_delete_hours(hours: OpeningHours, actor: Any) -> None:
    with transaction.atomic():
        _lock_as_admin(hours.organisation, actor)
        OpeningHours.objects.filter(pk=hours.pk).delete()


def _special_date(value: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise ActionError("date", _("%(value)s is not a date like 2026-12-24") % {"value": repr(value)}) from exc


def do_save_special_day(hours: OpeningHours, actor: Any, *, day: str, name: str, intervals: str,
                        closed: bool = False) -> SpecialDay:
    """Add a special day (or change the one on that date): its own hours, or closed all day (``closed`` or no
    hours)."""
    with transaction.atomic():
        _lock_as_admin(hours.organisation, actor)
        on = _special_date(day)
        clean_name = _name(name, required=False)
        try:
            parsed = () if closed else parse_intervals_text(intervals, "intervals", on.isoformat())
        except ScheduleError as exc:
            raise ActionError(exc.field, exc.message) from exc
        special, _created = SpecialDay.objects.update_or_create(
            hours=hours, date=on, defaults={"name": clean_name, "intervals": intervals_json(parsed)})
        return special


def do_delete_special_day(special: SpecialDay, actor: Any) -> None:
    with transaction.atomic():
        _lock_as_admin(special.hours.organisation, actor)
        SpecialDay.objects.filter(pk=special.pk).delete()


def check_template_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionError("text", _("the reply needs text"))
    if len(text) > MAX_TEMPLATE:
        raise ActionError("text", _("at most %(n)d characters") % {"n": MAX_TEMPLATE})
    try:
        check_placeholders(text)
    except TemplateError as exc:
        raise ActionError("text", exc.message) from exc
    return text


def do_save_template(org: Organisation, actor: Any, *, template: AutoReplyTemplate | None = None, kind: str,
                     language: str, register: str, text: str) -> AutoReplyTemplate:
    """Create (``template`` None) or change an automatic reply's text for one kind, language and register."""
    with transaction.atomic():
        org = _lock_as_admin(org, actor)
        if template is not None and template.organisation_id != org.pk:
            raise ActionError("template", _("this reply belongs to another organisation"))
        if kind not in AutoReplyKind.values:
            raise ActionError("kind", _("choose which automatic reply this is"))
        code = normalise_language(language)
        if not _LANGUAGE.match(code):
            raise ActionError("language", _("%(value)s is not a language code like nb or de")
                              % {"value": repr(language)})
        if register not in ("", "formal", "informal"):
            raise ActionError("register", _("choose formal, informal or either"))
        clean = check_template_text(text)
        taken = AutoReplyTemplate.objects.filter(organisation=org, kind=kind, language=code, register=register)
        if template is not None:
            taken = taken.exclude(pk=template.pk)
        if taken.exists():
            raise ActionError("language", _("there is a reply for this kind, language and register already; "
                                            "change that one"))
        row = template or AutoReplyTemplate(organisation=org)
        row.kind, row.language, row.register, row.text, row.updated_at = kind, code, register, clean, timezone.now()
        row.save()
        return row


def do_delete_template(template: AutoReplyTemplate, actor: Any) -> None:
    with transaction.atomic():
        _lock_as_admin(template.organisation, actor)
        AutoReplyTemplate.objects.filter(pk=template.pk).delete()
