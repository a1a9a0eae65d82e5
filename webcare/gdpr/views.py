"""The privacy pages at ``/privacy/``: find a person, download their export, erase them, see past requests.

The matches show the customer's name (how the person is recognised) and their identities masked like every other
view (webcare/access): the admin typed one identifier and needs no more of the others in clear to tell people apart;
the export, which the person receives, has them all.

The identifier is personal data, so it never travels in a URL (which ends up in access logs and browser history):
the search is a POST, and the export and erase forms carry it in their bodies. Pages holding results are not cached.
Thin on purpose: the work is :mod:`webcare.gdpr.find`, :mod:`~webcare.gdpr.export` and :mod:`~webcare.gdpr.erase`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webcare.access.mask import mask_identity_value
from webcare.conversations.models import Message
from webcare.core.models import Agent
from webcare.customers.models import Identity
from webcare.gdpr import export as exporting
from webcare.gdpr.access import can_erase, privacy_page
from webcare.gdpr.erase import REPORT_KINDS, NothingToErase, erase, prepare
from webcare.gdpr.find import Ambiguous, FindResult, Match, NoMatch, choose, find, organisation_region
from webcare.gdpr.identifiers import IdentifierError
from webcare.gdpr.labels import count_label, identifier_error, reason_text
from webcare.gdpr.models import SubjectRequest
from webcare.gdpr.scope import collect
from webcare.tickets.models import Ticket

RECENT = 50


def _page(request: HttpRequest, me: Agent, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context |= {"me": me, "section": "privacy", "can_erase": can_erase(me)}
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _requests(me: Agent) -> list[SubjectRequest]:
    return list(SubjectRequest.objects.filter(organisation=me.organisation).order_by("-at", "-id")[:RECENT])


def _rows(match: Match) -> dict[str, Any]:
    """What the results show of one person: who, by what, and how much there is."""
    identities = [(i.platform, mask_identity_value(i.platform, i.handle or i.external_id))
                  for i in Identity.objects.filter(customer_id__in=match.customer_ids).order_by("platform", "pk")]
    return {
        "match": match, "identities": identities,
        "reasons": [reason_text(reason) for reason in match.reasons],
        "tickets": Ticket.objects.filter(customer_id__in=match.customer_ids).count(),
        "messages": Message.objects.filter(conversation__customer_id__in=match.customer_ids).count(),
        "merged": match.customer_ids[1:],
    }


def _search(request: HttpRequest, me: Agent) -> tuple[str, FindResult | None, str]:
    identifier = request.POST.get("identifier", "")
    try:
        return identifier, find(me.organisation, identifier), ""
    except IdentifierError as exc:
        return identifier, None, identifier_error(exc.code, str(exc))


@privacy_page()
def home(request: HttpRequest, me: Agent) -> HttpResponse:
    """GET: the search form and past requests. POST: the people the identifier matches."""
    if request.method == "POST":
        identifier, result, error = _search(request, me)
        return _page(request, me, "gdpr/home.html", status=422 if error else 200, identifier=identifier,
                     error=error, result=result, rows=[_rows(m) for m in (result.matches if result else [])],
                     requests=_requests(me))
    return _page(request, me, "gdpr/home.html", identifier="", result=None, rows=[], requests=_requests(me))


def _chosen(request: HttpRequest, me: Agent) -> tuple[FindResult | None, Match | None, str]:
    """The identifier and customer a form posted, found again (never trusted from the page: the customer must be
    one of the identifier's matches in the signed-in person's organisation)."""
    _typed, result, error = _search(request, me)
    if result is None:
        return None, None, error
    raw = request.POST.get("customer", "")
    if not raw.isdigit():
        return result, None, _("Choose the customer: the identifier matches more than one person.")
    try:
        return result, choose(result, int(raw)), ""
    except (NoMatch, Ambiguous):
        return result, None, _("That customer does not match this identifier (any more). Search again.")


@privacy_page()
@require_POST
def export_view(request: HttpRequest, me: Agent) -> HttpResponseBase:
    """The ZIP, streamed as it is written; the export is audited when it starts."""
    result, match, error = _chosen(request, me)
    if result is None or match is None:
        return _page(request, me, "gdpr/home.html", status=422, identifier=request.POST.get("identifier", ""),
                     error=error, result=result, rows=[], requests=_requests(me))
    scope = collect(me.organisation_id, match.customer_ids, organisation_region(me.organisation), result.identifier)
    export = exporting.prepare(me.organisation, scope)
    exporting.record_export(export, identifier_hash=result.identifier.hash, actor=request.user, request=request)
    response = StreamingHttpResponse(exporting.iter_export(export), content_type="application/zip")
    filename = f"personal-data-{match.customer.pk}-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@privacy_page(erase=True)
@require_POST
def erase_view(request: HttpRequest, me: Agent) -> HttpResponse:
    """Without ``confirm``: what would be erased, and the button naming the counts. With it: erase, then the report.

    ``expected`` carries the customer ids the admin saw: if the person changed meanwhile (a merge), they confirm
    again rather than erase more than they were shown."""
    result, match, error = _chosen(request, me)
    if result is None or match is None:
        return _page(request, me, "gdpr/home.html", status=422, identifier=request.POST.get("identifier", ""),
                     error=error, result=result, rows=[], requests=_requests(me))
    erasure = prepare(me.organisation, match.customer_ids, result.identifier)
    seen = ",".join(str(pk) for pk in erasure.scope.customer_ids)
    if request.POST.get("confirm") != "yes" or request.POST.get("expected") != seen:
        counts = erasure.counts()
        return _page(request, me, "gdpr/confirm.html", identifier=result.identifier.raw, match=_rows(match),
                     counts=_labelled(counts), expected=seen, changed=bool(request.POST.get("confirm")),
                     summary=_summary(counts))
    try:
        report = erase(me.organisation, match.customer_ids, identifier=result.identifier, actor=request.user,
                       request=request)
    except NothingToErase:
        return redirect("gdpr:home")
    return redirect("gdpr:request", request_id=report.request.pk)


@privacy_page()
def request_detail(request: HttpRequest, me: Agent, request_id: int) -> HttpResponse:
    """One past request and its report (404 for another organisation's)."""
    subject_request = get_object_or_404(SubjectRequest, pk=request_id, organisation=me.organisation)
    return _page(request, me, "gdpr/request.html", subject_request=subject_request,
                 counts=_labelled(subject_request.counts))


def _labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    order = [*REPORT_KINDS, *sorted(set(counts) - set(REPORT_KINDS))]
    return [(kind, count_label(kind), counts[kind]) for kind in order if kind in counts]


def _summary(counts: dict[str, int]) -> str:
    return _("Erase %(customers)s customer records, %(messages)s messages and %(files)s files") % {
        "customers": counts.get("customers", 0), "messages": counts.get("messages", 0),
        "files": counts.get("attachment_files", 0)}
