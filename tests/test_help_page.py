"""The public help page /help/<organisation>/: no sign-in, the brand's published articles in the visitor's language,
a search that answers as the visitor types (htmx asks for the results part) and works as a plain form without
JavaScript, one page per article, 404 for what is not there, and rate limits so it is not a free DoS."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import Personas
from webcare.knowledge.language import accept_language, available_languages, choose_language
from webcare.knowledge.loader import DEMO_DIR, load_articles, load_file
from webcare.knowledge.models import Article

HELP = "/help/fjord/"


# -- the visitor's language (pure) -------------------------------------------------------------------------------------

def test_it_reads_accept_language_in_order_of_preference() -> None:
    assert accept_language("de-CH, fr;q=0.5, en;q=0.8") == ["de", "en", "fr"]
    assert accept_language("no;q=0.9, sv") == ["sv", "nb", "nn"]  # "no" is bokmål, then nynorsk
    assert accept_language("da;q=0, nl, garbage;;q=x, *") == ["nl"]


@pytest.mark.parametrize(("requested", "header", "expected"), [
    ("da", "sv", "da"),              # the visitor's own choice wins
    ("xx", "sv-SE,sv;q=0.9", "sv"),  # an unknown choice is ignored: the browser's
    ("", "fr, de;q=0.7", "de"),      # the first language there are articles in
    ("", "fr", "nb"),                # none: the brand's first language
    ("", "", "nb"),
])
def test_it_chooses_the_visitors_language_among_those_with_articles(requested: str, header: str,
                                                                   expected: str) -> None:
    assert choose_language(requested, header, ["nb", "en"], ["en", "da", "sv", "nb", "de"]) == expected


def test_only_languages_with_articles_are_offered_the_brands_first() -> None:
    assert available_languages(["nb", "nn", "en"], ["en", "de", "nb"]) == ["nb", "en", "de"]
    assert choose_language("nb", "nb", ["nb"], []) == ""


# -- the pages ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def demo(personas: Personas) -> Personas:
    load_file(personas.org, DEMO_DIR)
    return personas


@pytest.mark.django_db
def test_the_help_page_lists_the_brands_articles_in_the_visitors_language_grouped(demo: Personas) -> None:
    page = Client().get(HELP, headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    body = page.content.decode()
    assert '<html lang="sv">' in body
    assert "Varför är min faktura högre än vanligt?" in body and "Faktura och betalning" in body
    assert "Hvorfor er fakturaen min høyere" not in body  # one language at a time
    assert 'href="/help/fjord/invoice-higher/?lang=sv"' in body  # each article has its own address
    assert "Sök på hjälpsidorna" in body  # the page's own words in the visitor's language too
    chosen = Client().get(f"{HELP}?lang=de", headers={"Accept-Language": "sv"}).content.decode()
    assert "Warum ist meine Rechnung höher als sonst?" in chosen and '<html lang="de">' in chosen
    fallback = Client().get(HELP, headers={"Accept-Language": "fr"}).content.decode()
    assert '<html lang="nb">' in fallback  # the brand's first language


@pytest.mark.django_db
def test_searching_without_javascript_renders_the_results_in_the_page(demo: Personas) -> None:
    body = Client().get(HELP, {"q": "mistet mobilen", "lang": "nb"}).content.decode()
    assert "answers for" not in body  # in the visitor's language:
    assert "svar for «mistet mobilen»" in body or "svar for “mistet mobilen”" in body
    assert 'href="/help/fjord/lost-phone/?lang=nb"' in body
    assert "Sperr SIM-kortet med en gang" in body  # an excerpt of the answer, as plain text
    assert '<form class="help-search" role="search" method="get" action="/help/fjord/"' in body


@pytest.mark.django_db
def test_the_search_box_asks_for_the_results_part_only_while_the_visitor_types(demo: Personas) -> None:
    partial = Client().get(HELP, {"q": "routern blinkar rött", "lang": "sv"},
                           headers={"HX-Request": "true", "HX-Target": "help-results"})
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert "Routern blinkar rött och jag har inget internet – vad gör jag?" in body
    nothing = Client().get(HELP, {"q": "skogstur med hunden", "lang": "nb"},
                           headers={"HX-Request": "true", "HX-Target": "help-results"}).content.decode()
    assert "Ingen artikkel passer" in nothing


@pytest.mark.django_db
def test_a_search_is_shown_escaped(demo: Personas) -> None:
    body = Client().get(HELP, {"q": "<script>alert(1)</script> puk", "lang": "en"}).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; puk" in body


@pytest.mark.django_db
def test_an_article_page_shows_the_rendered_answer_and_its_translations(demo: Personas) -> None:
    page = Client().get("/help/fjord/efaktura/", {"lang": "nb"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Hvordan får jeg eFaktura eller AvtaleGiro?</h1>" in body
    assert '<a href="https://fjordnett.example/min-side/betaling" rel="noopener nofollow">' in body
    assert "<li><strong>eFaktura</strong>: søk opp Fjordnett" in body
    assert 'hreflang="fi"' in body and "More in this section" not in body  # the page's words are Norwegian too
    assert Client().get("/help/fjord/efaktura/", {"lang": "xx"}).content.decode().count('<html lang="nb">') == 1


@pytest.mark.django_db
def test_what_is_not_there_is_a_404(personas: Personas) -> None:
    load_articles(personas.org, [
        {"slug": "puk", "language": "nb", "question": "Hvor er PUK?", "answer": "Min side."},
        {"slug": "draft", "language": "nb", "question": "Kladd?", "answer": "Ikke ferdig.", "published": False},
    ])
    client = Client()
    assert client.get("/help/nobody/").status_code == 404
    assert client.get("/help/nobody/puk/").status_code == 404
    assert client.get("/help/fjord/draft/").status_code == 404  # unpublished
    assert client.get("/help/fjord/missing/").status_code == 404
    assert client.get("/help/other/").status_code == 404  # a brand without published articles
    assert client.get("/help/fjord/puk/").status_code == 200
    assert "Kladd?" not in client.get(HELP).content.decode()
    assert client.post(HELP).status_code == 405


@pytest.mark.django_db
def test_the_public_pages_are_rate_limited_per_address_and_per_brand(personas: Personas, settings: Any) -> None:
    Article.objects.create(organisation=personas.org, slug="puk", language="nb", question="PUK?", answer="Min side.")
    settings.WEBCARE_RATE_LIMITS = {**settings.WEBCARE_RATE_LIMITS, "help.address": (0.01, 3),
                                    "help.organisation": (0.01, 5)}
    one, other = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="198.51.100.8")
    assert [one.get(HELP, {"q": "puk"}).status_code for _ in range(3)] == [200, 200, 200]
    refused = one.get("/help/fjord/puk/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert [other.get(HELP).status_code for _ in range(2)] == [200, 200]
    assert other.get(HELP).status_code == 429  # the brand's bucket (5) is empty now, whoever asks


@pytest.mark.django_db
def test_the_chat_widgets_suggestions_link_to_the_help_page_in_the_language_typed(demo: Personas) -> None:
    from webcare.core.models import Channel

    site = "https://www.fjordnett.example"
    chat = Channel.objects.create(organisation=demo.org, kind="webchat", slug="chat", name="Chat",
                                  settings={"allowed_origins": site})
    response = Client().get(f"/chat/{chat.webhook_key}/suggest", {"q": "hur aktiverar jag esim i telefonen",
                                                                  "lang": "nb"}, headers={"Origin": site})
    first = response.json()["suggestions"][0]
    assert first["language"] == "sv"  # the language the visitor typed, not the page's
    assert first["url"] == "http://testserver/help/fjord/esim/?lang=sv"
    assert first["answer"].startswith("1. Beställ eSIM på Mina sidor → SIM och eSIM (gratis).")  # Markdown as text
    assert "**" not in first["answer"]
