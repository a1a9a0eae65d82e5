"""The knowledge base in the desk: the article list, the article form with a live preview, publishing, and the
composer's suggested articles for an open conversation. Thin views: the rules are in ``articles``, ``validation``,
``render`` and ``composer``.

Who: every signed-in person of the organisation sees the list (agents look up links); supervisors and admins write
(``articles.MANAGING_ROLES``). The suggestions follow the inbox's need-to-know rule: a ticket outside the agent's
scope is a 404, like one that does not exist; analysts, who do not reply, get 403.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from webcare.access.scope import visible_ticket_or_404
from webcare.core.models import Agent, Role
from webcare.inbox.views import current_agent
from webcare.knowledge import articles as writers
from webcare.knowledge import render as markdown
from webcare.knowledge.composer import suggestions_for
from webcare.knowledge.help_views import help_url
from webcare.knowledge.models import Article
from webcare.knowledge.validation import LANGUAGE_NAMES, LANGUAGES, MAX_ANSWER, check_answer
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket

FIELDS = ("slug", "language", "section", "question", "answer", "keywords")


def _manager(request: HttpRequest) -> Agent:
    agent = current_agent(request)
    if not writers.can_manage(agent):
        raise PermissionDenied("Only supervisors and admins can change articles.")
    return agent


def _input(request: HttpRequest) -> writers.ArticleInput:
    return writers.ArticleInput(**{name: request.POST.get(name, "") for name in FIELDS},
                                published=request.POST.get("published") == "1")


def _form(request: HttpRequest, agent: Agent, article: Article | None, values: dict[str, Any],
          error: ActionError | None = None) -> HttpResponse:
    context = {
        "agent": agent, "article": article, "values": values,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "max_answer": MAX_ANSWER,
        "preview_html": markdown.to_html(str(values.get("answer", ""))) if values.get("answer") else "",
        "error_field": error.field if error else "", "error": error.message if error else "",
        "public_url": help_url(agent.organisation.slug, article.slug, article.language)
        if article is not None and article.published else "",
    }
    return render(request, "knowledge/articles/form.html", context, status=422 if error else 200)


@login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article of the organisation, grouped by slug (one article, its translations side by side)."""
    agent = current_agent(request)
    rows = list(Article.objects.filter(organisation=agent.organisation).select_related("updated_by")
                .order_by("slug", "language"))
    groups: OrderedDict[str, list[Article]] = OrderedDict()
    for row in rows:
        groups.setdefault(row.slug, []).append(row)
    table = [{"slug": slug, "articles": items,
              "missing": [code for code in (agent.organisation.languages or []) if code in LANGUAGES
                          and code not in {a.language for a in items}]}
             for slug, items in groups.items()]
    return render(request, "knowledge/articles/list.html", {
        "agent": agent, "groups": table, "can_manage": writers.can_manage(agent), "count": len(rows),
        "language_names": LANGUAGE_NAMES, "help_index": f"/help/{agent.organisation.slug}/",
    })


@login_required
def article_new(request: HttpRequest) -> HttpResponse:
    agent = _manager(request)
    if request.method != "POST":
        initial = {"slug": request.GET.get("slug", ""), "language": request.GET.get("language", ""),
                   "section": "", "question": "", "answer": "", "keywords": "", "published": True}
        return _form(request, agent, None, initial)
    data = _input(request)
    try:
        writers.do_save_article(agent, data)
    except ActionError as exc:
        return _form(request, agent, None, asdict(data), exc)
    return redirect("knowledge:articles")


@login_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    agent = _manager(request)
    article = get_object_or_404(Article, pk=article_id, organisation=agent.organisation)
    if request.method != "POST":
        values = {"slug": article.slug, "language": article.language, "section": article.section,
                  "question": article.question, "answer": article.answer,
                  "keywords": ", ".join(str(k) for k in article.keywords or []), "published": article.published}
        return _form(request, agent, article, values)
    data = _input(request)
    try:
        writers.do_save_article(agent, data, article)
    except ActionError as exc:
        return _form(request, agent, article, asdict(data), exc)
    return redirect("knowledge:articles")


@login_required
@require_POST
def article_publish(request: HttpRequest, article_id: int) -> HttpResponse:
    agent = _manager(request)
    article = get_object_or_404(Article, pk=article_id, organisation=agent.organisation)
    writers.do_set_published(agent, article, request.POST.get("published") == "1")
    return redirect("knowledge:articles")


@login_required
@require_POST
def article_preview(request: HttpRequest) -> HttpResponse:
    """The answer as the help page shows it and as a reply would carry it (htmx, while the editor types)."""
    _manager(request)
    answer = request.POST.get("answer", "")[:MAX_ANSWER * 2]
    problem = ""
    try:
        check_answer(answer)
    except ActionError as exc:
        problem = exc.message
    return render(request, "knowledge/articles/_preview.html", {
        "preview_html": markdown.to_html(answer), "plain": markdown.to_plain(answer), "problem": problem})


@login_required
@require_GET
def ticket_suggestions(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Up to three articles for the open conversation, with the link and snippet the composer inserts."""
    agent = current_agent(request)
    ticket = visible_ticket_or_404(agent, ticket_id, Ticket.objects.select_related("organisation"))
    if agent.role == Role.ANALYST:
        raise PermissionDenied("Analysts do not reply, so they get no suggested articles.")
    language, found = suggestions_for(ticket)
    return render(request, "knowledge/_composer_suggestions.html", {
        "ticket": ticket, "suggestions": found, "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language)})
