"""The FAQ matcher behind the web chat's suggested answers, and loading articles from JSON.

The matcher is pure: it is tested on the Fjordnett demo articles read straight from the seed file (nb and en), with
questions written the way customers write them — inflected, compounded, without the Nordic letters, in a
neighbouring language — and with text that has nothing to do with the FAQ, which must find nothing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import Personas
from webcare.knowledge.faq import Entry, FaqIndex, fold, search, similarity, stem, words
from webcare.knowledge.index import suggest
from webcare.knowledge.loader import DEMO_FILE, LoadError, load_articles, load_file
from webcare.knowledge.models import Article


def demo_entries() -> list[Entry]:
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["articles"]
    return [Entry(i, r["slug"], r["language"], r["question"], r["answer"], tuple(r["keywords"]))
            for i, r in enumerate(rows, start=1)]


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(demo_entries())


def test_it_folds_case_and_nordic_letters_the_same_way_on_both_sides() -> None:
    assert fold("Måned Øre ÆRE Sähkö Café") == "maned ore aere sahko cafe"
    assert words("Hvorfor er FAKTURAEN min så høy?") == ["fakturaen", "hoy"]  # stop words dropped


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


@pytest.mark.parametrize(("query", "language", "slug"), [
    ("Hei, hvorfor er fakturaen så høy denne måneden?", "nb", "invoice-higher"),
    ("fakturaene mine er dobbelt så store som vanlig", "nb", "invoice-higher"),
    ("hvorfor er fakturaen min hoy", "nb", "invoice-higher"),  # typed without ø
    ("Hej, varför är fakturan så hög?", "sv", "invoice-higher"),  # Swedish on a Norwegian FAQ
    ("my bill is double this month", "en", "invoice-higher"),
    ("I was charged twice, the invoices are wrong", "en", "invoice-higher"),
    ("hvordan sperrer jeg simkortet, telefonen er stjålet", "nb", "lost-phone"),
    ("someone stole my phone, please block the sim", "en", "lost-phone"),
    ("nettet er nede i Bergen i dag", "nb", "outage"),
    ("internett er tregt om kvelden", "nb", "slow-broadband"),
    ("my broadband is really slow in the evening", "en", "slow-broadband"),
    ("hvordan aktivere esim på klokka", "nb", "esim"),
    ("hvor finner jeg puk koden min", "nb", "puk"),
    ("hva koster det å ringe fra Spania på ferie", "nb", "roaming"),
    ("does roaming cost extra when I travel in the EU", "en", "roaming"),
    ("I want to cancel my subscription", "en", "cancel"),
    ("jeg vil si opp abonnementet", "nb", "cancel"),
    ("kan jeg ta med nummeret mitt til dere", "nb", "keep-number"),
    ("Jeg skal flytte til ny leilighet i mars", "nb", "moving"),
    ("hvordan setter jeg opp efaktura i nettbanken", "nb", "efaktura"),
])
def test_it_finds_the_article_a_customer_means(index: FaqIndex, query: str, language: str, slug: str) -> None:
    found = index.search(query, language)
    assert found, f"nothing found for {query!r}"
    assert found[0].entry.slug == slug


@pytest.mark.parametrize("query", [
    "Jeg liker å gå tur i skogen med hunden min",
    "The weather is lovely today, isn't it",
    "Kan dere hjelpe meg med noe?",
    "Hva synes dere om den nye filmen på kino?",
    "Ik hou van fietsen langs de gracht",
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
    # "eSIM" and "QR" are the same word in both translations: the page decides.
    assert index.search("esim qr", "nb")[0].entry.language == "nb"
    assert index.search("esim qr", "en")[0].entry.language == "en"


def test_it_searches_an_empty_knowledge_base_without_error() -> None:
    assert search([], "hvorfor er fakturaen min så høy") == []


# -- the database side: loading, publishing, the per-organisation index -------------------------------------------

@pytest.mark.django_db
def test_it_loads_the_demo_file_and_loading_it_again_changes_nothing(personas: Personas) -> None:
    loaded = load_file(personas.org, DEMO_FILE)
    count = len(json.loads(DEMO_FILE.read_text(encoding="utf-8"))["articles"])
    assert (loaded.created, loaded.updated, loaded.unchanged) == (count, 0, 0)
    assert Article.objects.filter(organisation=personas.org).count() == count
    again = load_file(personas.org, DEMO_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, count)
    assert Article.objects.filter(organisation=personas.org).count() == count


@pytest.mark.django_db
def test_it_updates_a_changed_article_in_place(personas: Personas) -> None:
    load_articles(personas.org, [{"slug": "puk", "language": "nb", "question": "Hvor er PUK?", "answer": "A"}])
    loaded = load_articles(personas.org, [{"slug": "puk", "language": "nb", "question": "Hvor finner jeg PUK-koden?",
                                           "answer": "På Min side.", "keywords": ["puk"]}])
    assert (loaded.created, loaded.updated) == (0, 1)
    article = Article.objects.get(organisation=personas.org, slug="puk", language="nb")
    assert (article.question, article.answer) == ("Hvor finner jeg PUK-koden?", "På Min side.")
    assert article.keywords == ["puk"]


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "message"), [
    ([{"slug": "a", "language": "nb", "question": "Q?", "answer": "A"},
      {"slug": "b", "language": "nb", "question": "", "answer": "A"}], "article 1: question:"),
    ([{"slug": "a", "language": "xx", "question": "Q?", "answer": "A"}], "article 0: language: Value error, unknown"),
    ([{"slug": "Not a slug", "language": "nb", "question": "Q?", "answer": "A"}], "article 0: slug:"),
    ([{"slug": "a", "language": "nb", "question": "Q?", "answer": "A", "colour": "red"}], "article 0: colour:"),
    ([{"slug": "a", "language": "nb", "question": "Q?", "answer": "A"},
      {"slug": "a", "language": "nb", "question": "Q2?", "answer": "A"}], "article 1: slug 'a' in 'nb' appears twice"),
    ({"items": []}, 'an object with an "articles" list'),
])
def test_it_refuses_a_bad_file_naming_the_article_and_field_and_stores_nothing(personas: Personas, rows: object,
                                                                               message: str) -> None:
    with pytest.raises(LoadError) as caught:
        load_articles(personas.org, rows)
    assert message in str(caught.value)
    assert not Article.objects.filter(organisation=personas.org).exists()


@pytest.mark.django_db
def test_the_command_loads_the_demo_articles_and_names_a_missing_organisation(personas: Personas,
                                                                             tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("articles", "--demo", "--organisation", "fjord", stdout=out)
    assert "26 articles added, 0 updated, 0 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="no organisation with the slug 'nobody'"):
        call_command("articles", "--demo", "--organisation", "nobody")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json"):
        call_command("articles", str(broken), "--organisation", "fjord")


@pytest.mark.django_db
def test_suggestions_follow_publishing_and_stay_within_the_organisation(personas: Personas) -> None:
    load_file(personas.org, DEMO_FILE)
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
