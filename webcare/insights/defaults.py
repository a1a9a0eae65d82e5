"""The themes an organisation starts with, so the topics view says something useful before anyone has set it up.

Three sources, in this order:

1. a handful of themes almost every brand's customers write about (billing, prices, outages, the app and sign-in,
   waiting for customer service, cancelling, deliveries), with keywords in every language triage knows (en, nb, nn,
   da, sv, fi, nl, de) and the ticket labels agents typically give them;
2. from the triage intents: sales leads (people who want to buy or switch to the brand);
3. from the ticket labels in use: each label agents or routing rules put on tickets in the last weeks that no theme
   above already names becomes a theme of its own ("outage-bergen" → "Outage bergen").

Supervisors and admins change or delete them like any theme; they are made once (a :class:`ThemeSetup` row says
so), so deleting them all does not bring them back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from webcare.core.models import Organisation
from webcare.insights.models import Theme, ThemeSetup
from webcare.tickets.models import Label, Ticket

#: How far back labels in use are looked for, and how many become themes at most.
LABEL_WEEKS: Final = 8
LABEL_THEMES: Final = 15
#: Interface languages the names can be written in (the organisation's first language, else English).
UI_LANGUAGES: Final = ("en", "nb", "da", "sv", "fi", "nl")

GENERIC: Final[tuple[dict[str, Any], ...]] = (
    {"name": _("Invoice / billing"), "labels": ("billing", "invoice", "faktura"), "keywords": (
        "invoice*", "bill", "bills", "billing", "billed", "charged", "charges", "payment*", "refund*",
        "faktura*", "regning*", "betaling*", "gebyr*", "kreditnota*", "refusjon*", "avtalegiro",
        "räkning*", "betalning*", "avgift*", "återbetalning*",
        "lasku*", "laskutu*", "maksu*", "hyvity*",
        "factuur*", "facturen", "facturatie", "incasso*",
        "rechnung*", "zahlung*", "abbuchung*", "gebühr*")},
    {"name": _("Price"), "labels": ("price", "price-change", "pricing"), "keywords": (
        "price*", "pricing", "expensive", "cheaper", "cost", "costs",
        "pris*", "dyrt", "dyrere", "billigere", "billigare", "prisøkning*",
        "hinta*", "hinnan", "hinnat", "kallis*", "halvempi*",
        "prijs*", "prijzen", "duurder", "goedkoper",
        "preis*", "teuer*", "günstiger")},
    {"name": _("Outage / not working"), "labels": ("outage", "fault", "no-connection"), "keywords": (
        "outage*", "down", "not working", "doesn't work", "does not work", "no signal", "no internet", "offline",
        "nede", "nettbrudd*", "brudd", "fungerer ikke", "virker ikke", "fungerer ikkje", "verkar ikkje",
        "ingen dekning", "udfald", "nere", "avbrott*", "fungerar inte", "funkar inte",
        "katko*", "ei toimi", "vika*", "storing*", "werkt niet", "doet het niet",
        "störung*", "ausfall", "funktioniert nicht", "geht nicht")},
    {"name": _("App / login / website"), "labels": ("app", "login", "website"), "keywords": (
        "app", "apps", "appen", "login", "log in", "password", "website",
        "innlogging*", "logge inn", "passord*", "nettside*", "logge ind", "adgangskode*", "hjemmeside*",
        "inloggning*", "logga in", "lösenord*", "hemsida*",
        "sovellu*", "kirjautu*", "salasana*", "verkkosivu*",
        "inloggen", "wachtwoord*", "einloggen", "passwort*")},
    {"name": _("Customer service / waiting"), "labels": ("service", "waiting", "complaint-service"), "keywords": (
        "customer service", "on hold", "queue", "no answer", "no reply",
        "kundeservice*", "kø", "ingen svar", "fikk ikke svar", "intet svar",
        "kundtjänst*", "kö", "inget svar", "asiakaspalvelu*", "jono*", "ei vastausta",
        "klantenservice*", "wachten", "wachttijd*", "geen antwoord", "geen reactie",
        "kundenservice*", "kundendienst*", "warteschleife*", "keine antwort")},
    {"name": _("Cancellation"), "labels": ("cancellation", "churn", "termination"), "keywords": (
        "cancel*", "terminate*", "termination",
        "si opp", "sier opp", "oppsigelse*", "opsig*", "sige op", "säga upp", "säger upp", "uppsägning*",
        "irtisano*", "opzeg*", "kündig*")},
    {"name": _("Delivery / order"), "labels": ("delivery", "order", "shipping"), "keywords": (
        "deliver*", "order", "orders", "ordered", "shipping", "parcel*", "package",
        "levering*", "bestilling*", "pakken", "pakke", "leverans*", "beställning*", "paket*",
        "toimitu*", "tilau*", "paketti*", "bestelling*", "pakket*", "lieferung*", "bestellung*")},
)

INTENT_THEMES: Final[tuple[dict[str, Any], ...]] = (
    {"name": _("Sales leads"), "intents": ("sales_lead",)},
)


def _language(org: Organisation) -> str:
    first = next(iter(org.languages or ()), "en")
    return first if first in UI_LANGUAGES else ("nb" if first == "nn" else "en")


def labels_in_use(org: Organisation, weeks: int = LABEL_WEEKS, limit: int = LABEL_THEMES) -> list[str]:
    """The labels on the organisation's tickets of the last ``weeks`` weeks, most used first."""
    since = timezone.now() - timedelta(weeks=weeks)
    recent = Ticket.objects.filter(organisation=org, created_at__gte=since)
    return list(Label.objects.filter(organisation=org, tickets__in=recent).annotate(n=Count("tickets"))
                .order_by("-n", "name").values_list("name", flat=True)[:limit])


def default_themes(org: Organisation) -> list[dict[str, Any]]:
    """The default themes of ``org`` as field values (names in its first language)."""
    with translation.override(_language(org)):
        themes: list[dict[str, Any]] = [{"name": str(spec["name"]), "keywords": list(spec.get("keywords", ())),
                   "labels": [], "intents": list(spec.get("intents", ()))} for spec in (*GENERIC, *INTENT_THEMES)]
    existing = set(Label.objects.filter(organisation=org).values_list("name", flat=True))
    for theme, spec in zip(themes, (*GENERIC, *INTENT_THEMES), strict=True):
        theme["labels"] = [label for label in spec.get("labels", ()) if label in existing]
    named = {label for theme in themes for label in theme["labels"]}
    taken = {theme["name"].casefold() for theme in themes}
    for label in labels_in_use(org):
        name = label.replace("-", " ").replace("_", " ").strip().capitalize()[:80]
        if label in named or not name or name.casefold() in taken:
            continue
        themes.append({"name": name, "keywords": [], "labels": [label], "intents": []})
        taken.add(name.casefold())
    return themes


def ensure_default_themes(org: Organisation) -> bool:
    """Give ``org`` its default themes once; True when they were made now. Two first visits at once make one set:
    the setup row's primary key is the organisation, so the second waits for the first and then finds it."""
    if ThemeSetup.objects.filter(organisation=org).exists():
        return False
    try:
        with transaction.atomic():
            ThemeSetup.objects.create(organisation=org)
            now = timezone.now()
            Theme.objects.bulk_create([Theme(organisation=org, created_at=now, updated_at=now, **theme)
                                       for theme in default_themes(org)])
    except IntegrityError:
        return False
    return True
