"""Articles: Markdown rendered safely, validation that names the field, the files teams keep in git (load, export,
load again), the writers, and the article pages of the desk (list, form with preview, publishing).

The sanitising tests feed the renderer what an attacker would paste into an article; nothing that runs script may
come out, whichever layer stops it.
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import Personas, client_for
from webcare.core.models import Agent
from webcare.knowledge import render
from webcare.knowledge.articles import ArticleInput, do_save_article, do_set_published
from webcare.knowledge.loader import DEMO_DIR, LoadError, load_articles, load_file, parse_markdown, to_markdown
from webcare.knowledge.models import Article
from webcare.knowledge.validation import clean_article
from webcare.tickets.actions import ActionError

ARTICLES_URL = "/inbox/articles/"


# -- rendering and sanitising ------------------------------------------------------------------------------------------

def test_it_renders_markdown_with_links_marked_noopener_nofollow() -> None:
    html = render.to_html("Log in on **My page**.\n\n- one\n- [two](https://fjordnett.example/a)\n\n# Steps")
    assert "<strong>My page</strong>" in html
    assert "<li><a href=\"https://fjordnett.example/a\" rel=\"noopener nofollow\">two</a></li>" in html
    assert "<h2>Steps</h2>" in html  # the page's h1 is the question: headings move down one level


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)>",
])
def test_no_script_survives_rendering(attack: str) -> None:
    """Whatever is pasted, the HTML that comes out has no script element, no event attribute and no URL with a
    scheme that runs code — the words may stay, as text."""
    elements = parsed(render.to_html(f"Hello {attack} world"))
    assert {tag for tag, _ in elements} <= render.ALLOWED_TAGS
    for tag, attributes in elements:
        for name, value in attributes:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src"):
                assert (value or "").split(":")[0].lower() in ("http", "https", "mailto", "tel") or \
                    (value or "").startswith("/"), (tag, value)


def parsed(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element of ``html`` with its attributes, as a browser's parser sees them."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_the_second_layer_alone_strips_what_the_first_would_let_through() -> None:
    cleaned = render.sanitise('<p onclick="x()">a <a href="javascript:alert(1)">b</a> <img src="https://evil/x.png">'
                              '<img src="/static/ok.png" alt="ok"><script>alert(1)</script></p>')
    assert cleaned == '<p>a <a rel="noopener nofollow">b</a> <img><img src="/static/ok.png" alt="ok"></p>'


def test_images_only_from_the_desk_itself() -> None:
    assert '<img src="/static/router.png" alt="the router">' in render.to_html("![the router](/static/router.png)")
    elsewhere = render.to_html("![tracking pixel](https://tracker.example/p.gif)")
    assert "<img" not in elsewhere and "tracking pixel" in elsewhere  # shown as its alt text
    assert "<img" not in render.to_html("![x](//tracker.example/p.gif)")


def test_plain_text_writes_links_out_for_replies() -> None:
    plain = render.to_plain("Go to **My page**:\n\n1. Open [the app](https://x.example/app)\n2. Tap *Block*\n\n"
                            "Or mail [us](mailto:help@x.example).")
    assert plain == ("Go to My page:\n\n1. Open the app (https://x.example/app)\n2. Tap Block\n\n"
                     "Or mail us (help@x.example).")
    assert render.snippet("One. " * 200, 30) == "One. One. One. One. One. One."


# -- validation ------------------------------------------------------------------------------------------------------

def _values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {"slug": "puk", "language": "nb", "question": "Hvor er PUK?", "answer": "På Min side."}
    values.update(changes)
    return values


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"slug": ""}, "slug", "needs a slug"),
    ({"slug": "Lost Phone"}, "slug", "is not a slug"),
    ({"language": "xx"}, "language", "unknown language"),
    ({"section": "x" * 81}, "section", "at most 80"),
    ({"question": "  "}, "question", "needs a question"),
    ({"question": "q" * 301}, "question", "at most 300"),
    ({"answer": ""}, "answer", "needs an answer"),
    ({"answer": "a" * 6001}, "answer", "at most 6000"),
    ({"answer": "Hei <b>du</b>"}, "answer", "raw HTML (<b>)"),
    ({"answer": "See [this](javascript:alert(1))"}, "answer", "is not allowed"),
    ({"answer": "![x](https://elsewhere.example/x.png)"}, "answer", "not on this desk"),
    ({"keywords": ["x" * 61]}, "keywords", "at most 60"),
    ({"keywords": [f"k{i}" for i in range(51)]}, "keywords", "at most 50"),
])
def test_validation_names_the_field_at_fault(changes: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(ActionError) as caught:
        clean_article(**_values(**changes))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert words in caught.value.message


def test_validation_cleans_what_is_fine() -> None:
    values = clean_article(**_values(question="  Hvor   er PUK? ", keywords="puk, pin ,, PUK-kode, puk",
                                     answer="Skriv `<b>` for fet skrift? Nei: **fet**. Se <https://x.example> og "
                                            "[oss](mailto:a@b.example) eller ring [oss](tel:+4791500000)."))
    assert values.question == "Hvor er PUK?"
    assert values.keywords == ("puk", "pin", "PUK-kode")  # blanks and repeats dropped, order kept


# -- files -------------------------------------------------------------------------------------------------------------

def test_it_reads_several_articles_from_one_markdown_file() -> None:
    text = ("---\nslug: puk\nlanguage: nb\nsection: Mobil\nquestion: Hvor er PUK?\nkeywords: puk, pin\n"
            "published: false\n---\nPå **Min side**.\n\n---\n\nEn strek over er bare Markdown.\n"
            "---\nslug: esim\nlanguage: nb\nquestion: eSIM?\n---\nBestill den.\n")
    first, second = parse_markdown(text, "nb.md")
    assert first.values == {"slug": "puk", "language": "nb", "section": "Mobil", "question": "Hvor er PUK?",
                            "keywords": "puk, pin", "published": False,
                            "answer": "På **Min side**.\n\n---\n\nEn strek over er bare Markdown."}
    assert second.values["slug"] == "esim" and second.values["answer"] == "Bestill den."


@pytest.mark.parametrize(("text", "message"), [
    ("Just text", "nb.md:1: expected an article starting with a '---' line"),
    ("---\nslug: a\nlanguage nb\n---\nx", "nb.md:3: expected 'key: value'"),
    ("---\nslug: a\ncolour: red\n---\nx", "nb.md:3: colour: unknown field"),
    ("---\nslug: a\nslug: b\n---\nx", "nb.md:3: slug: given twice"),
    ("---\nslug: a\npublished: maybe\n---\nx", "nb.md:3: published: write true or false"),
    ("---\nslug: a\nlanguage: nb\n", "nb.md:1: the front matter has no closing"),
])
def test_a_malformed_markdown_file_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        parse_markdown(text, "nb.md")


@pytest.mark.django_db
def test_it_loads_the_demo_files_and_loading_them_again_changes_nothing(personas: Personas) -> None:
    loaded = load_file(personas.org, DEMO_DIR)
    assert (loaded.created, loaded.updated, loaded.unchanged) == (256, 0, 0)  # 32 articles × 8 languages
    assert set(Article.objects.filter(organisation=personas.org).values_list("language", flat=True)) == {
        "nb", "nn", "da", "sv", "fi", "nl", "de", "en"}
    again = load_file(personas.org, DEMO_DIR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 256)


@pytest.mark.django_db
def test_an_export_loads_back_unchanged_and_an_edit_in_git_updates_in_place(personas: Personas,
                                                                           tmp_path: Path) -> None:
    load_articles(personas.org, [
        {"slug": "puk", "language": "nb", "section": "Mobil", "question": "Hvor er PUK?", "answer": "På **Min side**.",
         "keywords": ["puk", "pin"]},
        {"slug": "puk", "language": "en", "question": "Where is the PUK?", "answer": "On My page.", "published": False},
    ])
    out = io.StringIO()
    call_command("articles", "--organisation", "fjord", "--export", str(tmp_path), stdout=out)
    assert "2 articles written" in out.getvalue()
    exported = tmp_path / "nb" / "puk.md"
    assert exported.read_text(encoding="utf-8") == to_markdown(Article.objects.get(slug="puk", language="nb"))
    again = load_file(personas.org, tmp_path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    exported.write_text(exported.read_text(encoding="utf-8").replace("På **Min side**.", "I appen."),
                        encoding="utf-8")
    changed = load_file(personas.org, tmp_path)
    assert (changed.created, changed.updated) == (0, 1)
    assert Article.objects.get(slug="puk", language="nb").answer == "I appen."
    assert Article.objects.get(slug="puk", language="en").published is False


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "message"), [
    ([{"slug": "a", "language": "nb", "question": "Q?", "answer": "A"},
      {"slug": "b", "language": "nb", "question": "", "answer": "A"}], "article 1: question:"),
    ([{"slug": "a", "language": "xx", "question": "Q?", "answer": "A"}], "article 0: language: unknown language"),
    ([{"slug": "Not a slug", "language": "nb", "question": "Q?", "answer": "A"}], "article 0: slug:"),
    ([{"slug": "a", "language": "nb", "question": "Q?", "answer": "A", "colour": "red"}], "article 0: colour:"),
    ([{"slug": "a", "language": "nb", "question": "Q?", "answer": "<script>x</script>"}], "article 0: answer: raw"),
    ([{"slug": "a", "language": "nb", "question": "Q?", "answer": "A"},
      {"slug": "a", "language": "nb", "question": "Q2?", "answer": "A"}], "article 1: slug 'a' in 'nb' appears twice"),
    ({"items": []}, 'an object with an "articles" list'),
])
def test_a_bad_file_is_refused_naming_the_article_and_field_and_nothing_is_stored(personas: Personas, rows: object,
                                                                                 message: str) -> None:
    with pytest.raises(LoadError) as caught:
        load_articles(personas.org, rows)
    assert message in str(caught.value)
    assert not Article.objects.filter(organisation=personas.org).exists()


@pytest.mark.django_db
def test_the_command_loads_the_demo_and_names_what_is_wrong(personas: Personas, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("articles", "--demo", "--organisation", "fjord", stdout=out)
    assert "256 articles added, 0 updated, 0 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="no organisation with the slug 'nobody'"):
        call_command("articles", "--demo", "--organisation", "nobody")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json"):
        call_command("articles", str(broken), "--organisation", "fjord")
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"slug": "a", "language": "de", "question": "Q?", "answer": "A"}]), "utf-8")
    call_command("articles", str(listed), "--organisation", "fjord", stdout=out)
    assert Article.objects.filter(slug="a", language="de").exists()


# -- the writers -------------------------------------------------------------------------------------------------------

def _agent(user: object) -> Agent:
    return Agent.objects.select_related("organisation", "user").get(user=user)


@pytest.mark.django_db
def test_supervisors_write_articles_agents_do_not_and_a_clash_names_the_slug(personas: Personas) -> None:
    data = ArticleInput(slug="puk", language="nb", question="Hvor er PUK?", answer="På Min side.", published=True)
    with pytest.raises(ActionError) as refused:
        do_save_article(_agent(personas.agent), data)
    assert refused.value.field == "role"
    article = do_save_article(_agent(personas.supervisor), data)
    assert (article.updated_by, article.published) == (personas.supervisor, True)
    with pytest.raises(ActionError) as clash:
        do_save_article(_agent(personas.admin), data)
    assert clash.value.field == "slug" and "already exists" in clash.value.message
    with pytest.raises(ActionError) as foreign:
        do_save_article(_agent(personas.outsider), data, article)
    assert foreign.value.field == "article"
    before = article.updated_at
    assert do_set_published(_agent(personas.admin), article, False).published is False
    assert Article.objects.get(pk=article.pk).updated_at > before  # the matcher's caches see the change


# -- the pages ---------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_list_shows_every_translation_and_only_managers_get_the_edit_links(personas: Personas) -> None:
    load_file(personas.org, DEMO_DIR)
    page = client_for(personas.agent).get(ARTICLES_URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hvorfor er fakturaen min høyere enn vanlig?" in body and "Warum ist meine Rechnung höher" in body
    assert 'id="add-article"' not in body and "/inbox/articles/1/" not in body
    managed = client_for(personas.supervisor).get(ARTICLES_URL).content.decode()
    assert 'id="add-article"' in managed and "Unpublish" in managed


@pytest.mark.django_db
def test_the_form_refuses_bad_input_next_to_the_field_and_stores_nothing(personas: Personas) -> None:
    client = client_for(personas.supervisor)
    assert client.get("/inbox/articles/new/?slug=puk&language=da").status_code == 200
    response = client.post("/inbox/articles/new/", {"slug": "puk", "language": "da", "question": "Hvor er PUK?",
                                                    "answer": "Se <b>her</b>", "published": "1"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="answer-error"' in body and "raw HTML" in body and 'aria-invalid="true"' in body
    assert not Article.objects.exists()
    saved = client.post("/inbox/articles/new/", {"slug": "puk", "language": "da", "question": "Hvor er PUK?",
                                                 "answer": "På **Mit Fjordnett**.", "keywords": "puk, pin",
                                                 "published": "1"})
    assert saved.status_code == 302
    article = Article.objects.get(slug="puk", language="da")
    assert (article.keywords, article.published) == (["puk", "pin"], True)
    edited = client.post(f"/inbox/articles/{article.pk}/", {"slug": "puk", "language": "da", "question": "PUK?",
                                                             "answer": "I appen."})
    assert edited.status_code == 302
    article.refresh_from_db()
    assert (article.question, article.published) == ("PUK?", False)  # an unticked box unpublishes
    assert client_for(personas.agent).get(f"/inbox/articles/{article.pk}/").status_code == 403
    assert client_for(personas.outsider).get(f"/inbox/articles/{article.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_preview_shows_the_page_and_the_reply_and_names_a_problem(personas: Personas) -> None:
    client = client_for(personas.supervisor)
    preview = client.post("/inbox/articles/preview/", {"answer": "Se **her**: [link](https://x.example)"})
    body = preview.content.decode()
    assert "<strong>her</strong>" in body and 'rel="noopener nofollow"' in body
    assert "Se her: link (https://x.example)" in body  # the plain text a reply would carry
    problem = client.post("/inbox/articles/preview/", {"answer": "<script>alert(1)</script>"}).content.decode()
    assert "raw HTML" in problem and "<script>" not in problem
    assert client_for(personas.agent).post("/inbox/articles/preview/", {"answer": "x"}).status_code == 403


@pytest.mark.django_db
def test_publishing_from_the_list_moves_the_article_on_and_off_the_help_page(personas: Personas) -> None:
    load_articles(personas.org, [{"slug": "puk", "language": "nb", "question": "Hvor er PUK?", "answer": "Min side."}])
    article = Article.objects.get(slug="puk")
    client = client_for(personas.admin)
    assert client.get("/help/fjord/puk/").status_code == 200
    client.post(f"/inbox/articles/{article.pk}/publish/", {"published": "0"})
    assert client.get("/help/fjord/puk/").status_code == 404
    client.post(f"/inbox/articles/{article.pk}/publish/", {"published": "1"})
    assert client.get("/help/fjord/puk/").status_code == 200


@pytest.mark.django_db
def test_the_django_admin_applies_the_same_rules(personas: Personas) -> None:
    from webcare.knowledge.admin import ArticleForm

    form = ArticleForm(data={"organisation": personas.org.pk, "slug": "puk", "language": "nb", "section": "",
                             "question": "Hvor er PUK?", "answer": "<b>Min side</b>", "keywords": "puk, pin",
                             "published": True})
    assert not form.is_valid()
    assert "raw HTML" in form.errors["answer"][0]
    form = ArticleForm(data={"organisation": personas.org.pk, "slug": "puk", "language": "nb", "section": "",
                             "question": "Hvor er PUK?", "answer": "**Min side**", "keywords": "puk, pin",
                             "published": True})
    assert form.is_valid(), form.errors
    assert form.save().keywords == ["puk", "pin"]
