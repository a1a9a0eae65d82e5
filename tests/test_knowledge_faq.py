"""The FAQ matcher behind the web chat's suggestions, the help page's search and the composer's suggested articles.

The matcher is pure: it is tested on the Fjordnett demo articles read straight from the Markdown files (32 articles
in eight languages), with questions written the way customers write them — inflected, compounded, without the Nordic
letters — and with text that has nothing to do with the FAQ, which must find nothing. The quality test scores the
whole labelled set (webcare/knowledge/labelled/) and fails when hit@3 drops below the issue's target (0.8).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Personas
from webcare.knowledge import quality
from webcare.knowledge.faq import FaqIndex, fold, search, similarity, stem, words
from webcare.knowledge.index import entries_from_values, in_language, suggest, suggest_in_language
from webcare.knowledge.loader import DEMO_DIR, load_file, read_path, validate
from webcare.knowledge.models import Article

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(entries_from_values(validate(read_path(DEMO_DIR))))


def test_it_folds_case_and_nordic_letters_the_same_way_on_both_sides() -> None:
    assert fold("Måned Øre ÆRE Sähkö Café") == "maned ore aere sahko cafe"
    assert words("Hvorfor er FAKTURAEN min så høy?") == ["fakturaen", "hoy"]  # stop words dropped


def test_greetings_sign_offs_and_desk_words_say_nothing_about_the_article() -> None:
    assert words("Hei Fjordnett kundeservice, kan dere hjelpe meg? Mvh Kari") == ["kari"]
    assert words("Ich möchte bitte meinen Vertrag kündigen") == ["mochte", "vertrag", "kundigen"]


@pytest.mark.parametrize(("a", "b"), [
    ("faktura", "fakturaen"), ("faktura", "fakturaene"), ("faktura", "fakturaer"),  # nb/da inflections
    ("fakturan", "fakturor"),  # sv
    ("abonnement", "abonnementet"), ("hoy", "hoyere"), ("sperre", "sperrer"),
    ("invoice", "invoices"), ("factuur", "factuurs"),
])
def test_it_gives_inflections_of_a_word_the_same_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_it_matches_prefixes_and_compound_heads_but_not_unrelated_words() -> None:
    assert similarity("lasku", "laskussa") > 0  # Finnish case ending beyond the stemmer
    assert similarity("abonnement", "mobilabonnement") > 0  # compound head
    assert similarity("faktura", "efaktura") > 0
    assert similarity("ruter", "router") == 0
    assert similarity("bredband", "bredde") == 0  # "bred" is too small a part of "bredde" to mean the same
    assert similarity("sent", "sentrum") == 0  # a four-letter word is not every word it starts
    assert similarity("hjemmet", "hjemmekontor") == 0  # a compound's first part is not an inflection


@pytest.mark.parametrize(("query", "language", "slug"), [
    ("Hei, hvorfor er fakturaen så høy denne måneden?", "nb", "invoice-higher"),
    ("hvorfor er fakturaen min hoy", "nb", "invoice-higher"),  # typed without ø
    ("Hej, varför är fakturan så hög?", "sv", "invoice-higher"),
    ("my bill is double this month", "en", "invoice-higher"),
    ("hvordan sperrer jeg simkortet, telefonen er stjålet", "nb", "lost-phone"),
    ("someone stole my phone, please block the sim", "en", "lost-phone"),
    ("internett er tregt om kvelden", "nb", "slow-broadband"),
    ("hvordan aktivere esim på klokka", "nb", "esim"),
    ("hvor finner jeg puk koden min", "nb", "puk"),
    ("does roaming cost extra when I travel in the EU", "en", "roaming"),
    ("jeg vil si opp abonnementet", "nb", "cancel"),
    ("kan jeg ta med nummeret mitt til dere", "nb", "keep-number"),
    ("Jeg skal flytte til ny leilighet i mars", "nb", "moving"),
    ("korleis aktiverer eg esim", "nn", "esim"),
    ("routeren blinker rødt og der er intet internet", "da", "router-no-internet"),
    ("miten vaihdan wifin salasanan", "fi", "router-settings"),
    ("ik wil mijn abonnement opzeggen", "nl", "cancel"),
    ("mein handy wurde geklaut, bitte sim karte sperren", "de", "lost-phone"),
])
def test_it_finds_the_article_a_customer_means(index: FaqIndex, query: str, language: str, slug: str) -> None:
    found = index.search(query, language)
    assert found, f"nothing found for {query!r}"
    assert slug in [m.entry.slug for m in found[:3]]


@pytest.mark.parametrize("query", [
    "Jeg liker å gå tur i skogen med hunden min",
    "The weather is lovely today, isn't it",
    "Kan dere hjelpe meg med noe?",
    "hva er åpningstidene til butikken i Sandvika?",
    "",
])
def test_it_finds_nothing_for_text_unrelated_to_the_faq(index: FaqIndex, query: str) -> None:
    assert index.search(query, "nb") == []


def test_it_returns_at_most_three_best_first_and_each_article_once(index: FaqIndex) -> None:
    found = index.search("faktura faktura betale sent purring avtalegiro efaktura høy", "nb")
    assert 1 <= len(found) <= 3
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert len({m.entry.slug for m in found}) == len(found)


def test_it_shows_the_language_the_customer_wrote_in_and_breaks_ties_by_the_page_language(index: FaqIndex) -> None:
    assert index.search("Why is my invoice so high", "nb")[0].entry.language == "en"
    assert index.search("Hvorfor er fakturaen så høy", "en")[0].entry.language == "nb"
    # "eSIM" and "QR" are the same word in every translation: the page decides.
    assert index.search("esim qr", "nb")[0].entry.language == "nb"
    assert index.search("esim qr", "da")[0].entry.language == "da"


def test_it_swaps_each_match_for_the_readers_translation_when_there_is_one(index: FaqIndex) -> None:
    found = index.search("Why is my invoice so high", "en")
    assert in_language(index, found, ["fi", "nb"])[0].entry.language == "fi"
    assert in_language(index, found, ["xx", "nb"])[0].entry.language == "nb"  # no such translation: the next one
    assert in_language(index, found, ["xx"])[0].entry.language == "en"  # none at all: as it matched


def test_it_searches_an_empty_knowledge_base_without_error() -> None:
    assert search([], "hvorfor er fakturaen min så høy") == []


def test_the_partial_question_is_the_first_words_a_customer_has_typed() -> None:
    assert quality.partial("hvor finner jeg puk koden min") == "hvor finner jeg puk"  # 60 % of 6 words, rounded up
    assert quality.partial("puk") == "puk"
    assert quality.widget_would_ask("hvor finner jeg") and not quality.widget_would_ask("puk kode")


def test_the_scores_count_hits_in_the_first_three_and_quiet_on_unanswerable() -> None:
    score = quality.Score()
    score.add(quality.Labelled("q", "nb", ("puk",), "t"), ["esim", "puk"])
    score.add(quality.Labelled("q", "nb", ("puk",), "t"), ["a", "b", "c", "puk"])
    score.add(quality.Labelled("q", "nb", (), "t"), [])
    score.add(quality.Labelled("q", "nb", (), "t"), ["esim"])
    # MRR: (1/2 + 1/4) / 2
    assert (score.hit_at_1, score.hit_at_3, score.mrr, score.quiet_share) == (0.0, 0.5, 0.375, 0.5)


def test_suggestion_quality_on_the_labelled_set_meets_the_target() -> None:
    """hit@3 ≥ 0.8 for the composer (the whole message) and for a customer still typing (60 % of the words), over
    the demo conversations, the customer-style questions in eight languages and, where the data is here, real
    tweets; no language may fall far behind."""
    index = quality.demo_index()
    sets = quality.labelled_sets(SHARED_DATA if SHARED_DATA.exists() else None)
    assert sum(len(rows) for rows in sets.values()) >= 150
    for use in ("composer", "customer"):
        result = quality.score(sets, index.search, use)
        assert result.overall.hit_at_3 >= quality.TARGET_HIT3, (use, result.overall.hit_at_3)
        for language, figures in result.by_language.items():
            assert figures.hit_at_3 >= 0.65, (use, language, figures.hit_at_3)
    composer = quality.score(sets, index.search, "composer")
    assert composer.overall.quiet_share > 0  # the unanswerable questions are measured, not ignored


# -- the database side: loading, publishing, the per-organisation index -------------------------------------------

@pytest.mark.django_db
def test_suggestions_follow_publishing_and_stay_within_the_organisation(personas: Personas) -> None:
    load_file(personas.org, DEMO_DIR)
    query = "hvorfor er fakturaen min så høy"
    assert suggest(personas.org.pk, query, "nb")[0].entry.slug == "invoice-higher"
    assert suggest(personas.other_org.pk, query, "nb") == []  # another brand's FAQ is not ours

    article = Article.objects.get(organisation=personas.org, slug="invoice-higher", language="nb")
    article.published = False
    article.save()
    assert all(m.entry.slug != "invoice-higher" or m.entry.language != "nb"
               for m in suggest(personas.org.pk, query, "nb"))
    article.published = True
    article.save()
    assert suggest(personas.org.pk, query, "nb")[0].entry.id == article.pk
    # The help page and the composer read it in the customer's language whatever language matched.
    assert suggest_in_language(personas.org.pk, query, ["da", "nb"])[0].entry.language == "da"
