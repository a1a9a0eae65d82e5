"""The public help page: ``/help/<organisation>/`` and one page per article, ``/help/<organisation>/<slug>/``.

No sign-in. The brand's published articles in the visitor's language (``webcare.knowledge.language``), grouped by
section, with a search box that answers as the visitor types: htmx asks the same URL for the results part ~150 ms
after a pause (``hx-trigger="input changed delay:150ms"``), and without JavaScript the box is a plain GET form that
renders the same results in the page. The matcher is the web chat's and the composer's (``webcare.knowledge.index``).

Not a free DoS: every request takes a token from the client address's bucket and the organisation's bucket
(``help.address`` and ``help.organisation`` in ``WEBCARE_RATE_LIMITS``, webcare/security/ratelimit.py) before any
query; an empty bucket answers 429 with Retry-After. A search is at most :data:`MAX_QUERY` characters and costs well
under a millisecond (docs/benchmarks.md).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from webcare.core.models import Organisation
from webcare.knowledge import render as markdown
from webcare.knowledge.index import in_language, index_for
from webcare.knowledge.language import available_languages, choose_language
from webcare.knowledge.models import Article
from webcare.knowledge.validation import LANGUAGE_NAMES
from webcare.security import ratelimit

MAX_QUERY = 200
MIN_QUERY = 2
RESULTS = 8
#: Characters of each result's answer shown under its question.
EXCERPT = 180
#: The limits of these pages, and the limits they borrow when a deployment's settings do not name them yet.
LIMITS = {"help.address": "chat.address", "help.organisation": "chat.channel"}


def _limit_name(name: str) -> str:
    return name if name in settings.WEBCARE_RATE_LIMITS else LIMITS[name]


def _too_many(request: HttpRequest, wait_response: HttpResponse) -> HttpResponse:
    """The 429 as a small page (the JSON body is for API clients), keeping Retry-After."""
    response = render(request, "knowledge/help/too_many.html", {"seconds": wait_response["Retry-After"]},
                      status=429)
    response["Retry-After"] = wait_response["Retry-After"]
    return response


def _refused(request: HttpRequest, organisation_slug: str) -> HttpResponse | None:
    limited = ratelimit.refuse_address(_limit_name("help.address"), request)
    if limited is None:
        limited = ratelimit.refuse(_limit_name("help.organisation"), organisation_slug)
    return _too_many(request, limited) if limited is not None else None


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("no help pages at this address")
    return organisation


def _languages(organisation: Organisation) -> list[str]:
    published = (Article.objects.filter(organisation=organisation, published=True)
                 .values_list("language", flat=True).distinct())
    return available_languages(list(organisation.languages or []), list(published))


def _ui_language(code: str) -> str:
    """The language the page's own words are in: the article language (nynorsk and German have their own
    translations of the help page's few words; any other falls back to English)."""
    return code if code in LANGUAGE_NAMES else "en"


def help_url(organisation_slug: str, slug: str, language: str) -> str:
    """The path of one article in one language (what agents paste into replies, made absolute by the caller)."""
    return reverse("help:article", args=[organisation_slug, slug]) + "?" + urlencode({"lang": language})


def search_results(organisation: Organisation, query: str, language: str) -> list[dict[str, str]]:
    """The articles matching ``query``, each in the visitor's language when it has one, with a short excerpt."""
    index_ = index_for(organisation.pk)
    matches = in_language(index_, index_.search(query, language, limit=RESULTS),
                          [language, *(organisation.languages or [])])
    return [{"question": m.entry.question, "section": m.entry.section, "language": m.entry.language,
             "url": help_url(organisation.slug, m.entry.slug, m.entry.language),
             "excerpt": markdown.excerpt(m.entry.answer, EXCERPT)} for m in matches]


def _grouped(articles: list[Article]) -> list[tuple[str, list[Article]]]:
    """Articles by section, sections in the order they were first written (lowest id), articles by id."""
    groups: OrderedDict[str, list[Article]] = OrderedDict()
    for article in sorted(articles, key=lambda a: a.pk):
        groups.setdefault(article.section, []).append(article)
    return list(groups.items())


def _context(request: HttpRequest, organisation: Organisation, language: str, languages: list[str],
             **extra: Any) -> dict[str, Any]:
    return {
        "organisation": organisation, "language": language,
        "language_links": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
        "index_url": reverse("help:index", args=[organisation.slug]),
        **extra,
    }


@require_GET
def index(request: HttpRequest, org: str) -> HttpResponse:
    refused = _refused(request, org)
    if refused is not None:
        return refused
    organisation = _organisation(org)
    languages = _languages(organisation)
    if not languages:
        raise Http404("this brand has no published help articles")
    language = choose_language(request.GET.get("lang", ""), request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
                               list(organisation.languages or []), languages)
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    results = search_results(organisation, query, language) if len(query) >= MIN_QUERY else None
    with translation.override(_ui_language(language)):
        context = _context(request, organisation, language, languages, query=query, results=results)
        htmx = getattr(request, "htmx", None)
        if htmx and htmx.target == "help-results":  # the search box asking while the visitor types
            return render(request, "knowledge/help/_results.html", context)
        articles = list(Article.objects.filter(organisation=organisation, published=True, language=language))
        context["sections"] = _grouped(articles)
        return render(request, "knowledge/help/index.html", context)


@require_GET
def article(request: HttpRequest, org: str, slug: str) -> HttpResponse:
    refused = _refused(request, org)
    if refused is not None:
        return refused
    organisation = _organisation(org)
    versions = {a.language: a for a in Article.objects.filter(organisation=organisation, slug=slug, published=True)}
    if not versions:
        raise Http404("no such article")
    languages = _languages(organisation)
    language = choose_language(request.GET.get("lang", ""), request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
                               list(organisation.languages or []), list(versions))
    shown = versions[language]
    related = (Article.objects.filter(organisation=organisation, published=True, language=language,
                                      section=shown.section).exclude(pk=shown.pk).order_by("pk")[:6])
    with translation.override(_ui_language(language)):
        context = _context(request, organisation, language, languages, article=shown,
                           answer_html=markdown.to_html(shown.answer), related=list(related),
                           translations=[(code, LANGUAGE_NAMES.get(code, code))
                                         for code in available_languages(list(organisation.languages or []),
                                                                         list(versions)) if code != language])
        return render(request, "knowledge/help/article.html", context)
