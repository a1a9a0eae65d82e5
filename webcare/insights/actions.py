"""The only writers of themes on behalf of a person (supervisors and admins, from /supervisor/topics/themes/).

Each runs in one transaction: the organisation's :class:`ThemeSetup` row is locked first (two supervisors saving at
once are serialised, so the unique name check and the version stay right), the role is checked again (the page
checks too: defence in depth), the input is checked by :func:`webcare.insights.themes.check_theme` — which names the
field at fault, and then nothing is stored — and the version is increased, so the remembered week figures are
counted afresh with the changed theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from webcare.core.models import Agent, Organisation
from webcare.insights.defaults import ensure_default_themes
from webcare.insights.models import DayDigest, Theme, ThemeSetup
from webcare.insights.themes import ThemeInvalid, check_theme, split_keywords
from webcare.supervision.access import ACTORS
from webcare.tickets.models import Label


def _lock(org: Organisation, actor: Any) -> ThemeSetup:
    ensure_default_themes(org)
    setup = ThemeSetup.objects.select_for_update().get(organisation=org)
    if not Agent.objects.filter(user=actor, organisation=org, role__in=ACTORS).exists():
        raise ThemeInvalid("actor", _("only supervisors and admins of %(org)s change its themes") % {"org": org.name})
    return setup


def _counted_afresh(setup: ThemeSetup) -> None:
    """A new version, so every remembered and stored count of the old themes is left behind (and the stored ones,
    which no key reaches any more, deleted)."""
    ThemeSetup.objects.filter(pk=setup.pk).update(version=F("version") + 1)
    DayDigest.objects.filter(organisation_id=setup.organisation_id).delete()


def _theme(org: Organisation, raw: str | int | None) -> Theme:
    theme = (Theme.objects.filter(organisation=org, pk=int(raw)).first()
             if raw is not None and str(raw).isdigit() else None)
    if theme is None:
        raise ThemeInvalid("theme", _("choose one of your organisation's themes"))
    return theme


def do_save_theme(org: Organisation, actor: Any, *, theme_id: str | int | None, name: str, keywords: str,
                  labels: Sequence[str], intents: Sequence[str]) -> Theme:
    """Add a theme (``theme_id`` empty) or change one; ``keywords`` as typed in the form's box."""
    with transaction.atomic():
        setup = _lock(org, actor)
        theme = _theme(org, theme_id) if theme_id not in (None, "") else None
        others = Theme.objects.filter(organisation=org)
        if theme is not None:
            others = others.exclude(pk=theme.pk)
        spec = check_theme(name, split_keywords(keywords), list(labels), list(intents),
                           known_labels=Label.objects.filter(organisation=org).values_list("name", flat=True),
                           taken_names=others.values_list("name", flat=True))
        now = timezone.now()
        if theme is None:
            theme = Theme(organisation=org, created_at=now)
        theme.name, theme.keywords, theme.labels, theme.intents = (spec.name, list(spec.keywords), list(spec.labels),
                                                                   list(spec.intents))
        theme.updated_at, theme.updated_by = now, actor
        theme.save()
        _counted_afresh(setup)
        return theme


def do_delete_theme(org: Organisation, actor: Any, theme_id: str | int | None) -> str:
    """Delete one theme; returns its name (for the page's notice)."""
    with transaction.atomic():
        setup = _lock(org, actor)
        theme = _theme(org, theme_id)
        name = theme.name
        theme.delete()
        _counted_afresh(setup)
        return name
