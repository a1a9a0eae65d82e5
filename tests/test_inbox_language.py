"""Each agent picks their own interface language: the catalogues, the choice, and where the choice is kept.

Assumes ``webcare.inbox.language.AgentLanguageMiddleware`` in ``MIDDLEWARE`` (after ``AuthenticationMiddleware``) and
``path("language/", language.set_language, name="language")`` in ``webcare/inbox/urls.py``.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from tests.conftest import Personas, client_for
from webcare.core.models import Agent
from webcare.inbox.language import SESSION_KEY

LANGUAGE_URL = "/inbox/language/"
WEBCARE_DIR = Path(__file__).resolve().parent.parent / "webcare"
LOCALE_DIR = WEBCARE_DIR / "inbox" / "locale"
#: Every app with pages of its own ships a catalogue.
TRANSLATED_APPS = ["inbox", "staff", "replies", "routing", "hours", "supervision", "notify", "search", "insights",
                   "knowledge"]

#: The fixed view names of the inbox, per language, as an agent sees them in the left pane.
VIEW_NAMES = {
    "nb": ["Utildelt", "Mine", "Mine team", "Alle åpne", "Venter på kunde", "Nylig løst", "SLA i fare", "SLA brutt",
           "Spam"],
    "da": ["Ikke tildelt", "Mine", "Mine teams", "Alle åbne", "Afventer kunde", "Løst for nylig", "SLA i fare",
           "SLA brudt", "Spam"],
    "sv": ["Ej tilldelade", "Mina", "Mina team", "Alla öppna", "Väntar på kund", "Nyligen lösta", "SLA i fara",
           "SLA bruten", "Skräppost"],
    "fi": ["Määrittämättömät", "Omat", "Omat tiimit", "Kaikki avoimet", "Odottaa asiakasta", "Äskettäin ratkaistut",
           "SLA vaarassa", "SLA ylitetty", "Roskaposti"],
    "nl": ["Niet toegewezen", "Mijn tickets", "Mijn teams", "Alle openstaande", "Wacht op klant", "Onlangs opgelost",
           "SLA in gevaar", "SLA overschreden", "Spam"],
}
ENGLISH_VIEW_NAMES = ["Unassigned", "Mine", "My teams", "All open", "Waiting on customer", "Solved recently",
                      "SLA at risk", "SLA breached", "Spam"]
#: The sign-in button, per language.
SIGN_IN = {"en": "Sign in", "nb": "Logg inn", "da": "Log ind", "sv": "Logga in", "fi": "Kirjaudu sisään",
           "nl": "Inloggen"}


def view_names(response: Any) -> list[str]:
    """The labels of the six fixed views in the page's left pane, in the pane's order (channel views left out)."""
    assert response.status_code == 200
    labels = re.findall(r'<span>([^<]*)</span>\s*<span class="count" data-view="([^"]+)"', response.content.decode())
    return [label for label, key in labels if not key.startswith("channel:")]


def signed_in(user: Any) -> Client:
    return client_for(user)


@pytest.mark.parametrize("code", list(VIEW_NAMES))
def test_it_shows_the_inbox_in_the_chosen_language(personas: Personas, code: str) -> None:
    client = signed_in(personas.agent)
    assert client.post(LANGUAGE_URL, {"language": code}).status_code == 302

    response = client.get("/inbox/")

    assert view_names(response) == VIEW_NAMES[code]
    assert response["Content-Language"] == code


def test_it_starts_in_english(personas: Personas) -> None:
    response = signed_in(personas.agent).get("/inbox/")
    assert view_names(response) == ENGLISH_VIEW_NAMES
    assert response["Content-Language"] == "en"


def test_it_stores_the_choice_in_the_session_and_the_language_cookie(personas: Personas) -> None:
    client = signed_in(personas.agent)
    client.post(LANGUAGE_URL, {"language": "fi"})
    assert client.session[SESSION_KEY] == "fi"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fi"


def test_it_refuses_an_unknown_language_with_400_and_changes_nothing(personas: Personas) -> None:
    client = signed_in(personas.agent)
    client.post(LANGUAGE_URL, {"language": "da"})

    for bad in ("xx", "", "de", "nb-NO", "EN"):
        response = client.post(LANGUAGE_URL, {"language": bad})
        assert response.status_code == 400, bad
        # The refusal names the choices, in the language still in force.
        assert "Ukendt sprog" in response.content.decode()
        assert "en, nb, da, sv, fi, nl" in response.content.decode()

    assert client.session[SESSION_KEY] == "da"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "da"
    assert view_names(client.get("/inbox/")) == VIEW_NAMES["da"]


def test_it_refuses_an_unknown_language_from_a_fresh_agent_in_english(personas: Personas) -> None:
    client = signed_in(personas.agent)
    response = client.post(LANGUAGE_URL, {"language": "klingon"})
    assert response.status_code == 400
    assert "Unknown language “klingon”. Choose one of: en, nb, da, sv, fi, nl." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert view_names(client.get("/inbox/")) == ENGLISH_VIEW_NAMES


def test_it_keeps_the_choice_for_the_next_requests(personas: Personas) -> None:
    client = signed_in(personas.agent)
    client.post(LANGUAGE_URL, {"language": "sv"})
    for _ in range(2):
        assert view_names(client.get("/inbox/")) == VIEW_NAMES["sv"]
    assert view_names(client.get("/inbox/?view=solved")) == VIEW_NAMES["sv"]


def test_it_follows_the_agent_not_the_browser(personas: Personas) -> None:
    """The session choice wins over the cookie and ``Accept-Language``: e.g. a second device without the cookie."""
    client = signed_in(personas.agent)
    client.post(LANGUAGE_URL, {"language": "nl"})
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    response = client.get("/inbox/", headers={"Accept-Language": "fi"})

    assert view_names(response) == VIEW_NAMES["nl"]
    assert response["Content-Language"] == "nl"


def test_it_keeps_each_agents_choice_separate(personas: Personas) -> None:
    kari = signed_in(personas.agent)
    sunniva = signed_in(personas.supervisor)
    kari.post(LANGUAGE_URL, {"language": "nb"})
    sunniva.post(LANGUAGE_URL, {"language": "nl"})
    assert view_names(kari.get("/inbox/")) == VIEW_NAMES["nb"]
    assert view_names(sunniva.get("/inbox/")) == VIEW_NAMES["nl"]
    assert view_names(signed_in(personas.admin).get("/inbox/")) == ENGLISH_VIEW_NAMES


@pytest.mark.parametrize("code", list(SIGN_IN))
def test_it_shows_a_visitor_the_sign_in_page_in_the_chosen_language(db: None, code: str) -> None:
    visitor = Client()
    assert visitor.post(LANGUAGE_URL, {"language": code, "next": "/login/"})["Location"] == "/login/"

    html = visitor.get("/login/").content.decode()

    assert f"<button type=\"submit\">{SIGN_IN[code]}</button>" in html


def test_it_keeps_a_visitors_choice_through_signing_in(personas: Personas) -> None:
    visitor = Client()
    visitor.post(LANGUAGE_URL, {"language": "fi"})
    assert "Käyttäjätunnus" in visitor.get("/login/").content.decode()

    response = visitor.post("/login/", {"username": "kari", "password": "correct horse battery", "next": "/inbox/"})
    assert response.status_code == 302

    assert visitor.session[SESSION_KEY] == "fi"
    assert view_names(visitor.get("/inbox/")) == VIEW_NAMES["fi"]


def test_it_keeps_the_language_on_the_sign_in_page_after_signing_out(personas: Personas) -> None:
    client = signed_in(personas.agent)
    client.post(LANGUAGE_URL, {"language": "da"})
    client.post("/logout/")
    assert "<button type=\"submit\">Log ind</button>" in client.get("/login/").content.decode()


def test_it_goes_back_only_to_a_page_of_this_site(personas: Personas) -> None:
    client = signed_in(personas.agent)
    assert client.post(LANGUAGE_URL, {"language": "nb", "next": "/inbox/?view=mine"})["Location"] == "/inbox/?view=mine"
    assert client.post(LANGUAGE_URL, {"language": "nb", "next": "https://evil.example/"})["Location"] == "/inbox/"
    assert client.post(LANGUAGE_URL, {"language": "nb"}, headers={"Referer": "http://testserver/inbox/?view=open"})[
        "Location"] == "http://testserver/inbox/?view=open"
    assert client.post(LANGUAGE_URL, {"language": "nb"})["Location"] == "/inbox/"


def test_it_asks_htmx_to_reload_the_page(personas: Personas) -> None:
    client = signed_in(personas.agent)
    response = client.post(LANGUAGE_URL, {"language": "sv"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    assert client.session[SESSION_KEY] == "sv"


def test_it_only_accepts_a_post(personas: Personas) -> None:
    client = signed_in(personas.agent)
    assert client.get(LANGUAGE_URL, {"language": "nb"}).status_code == 405
    assert SESSION_KEY not in client.session


def test_it_lists_every_language_in_its_own_name_in_the_picker(db: None) -> None:
    request = RequestFactory().get("/inbox/?view=mine")
    with translation.override("da"):
        html = render_to_string("inbox/_language.html", request=request)

    assert 'action="/inbox/language/"' in html
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="language-picker">Sprog</label>' in html
    assert '<select id="language-picker" name="language">' in html
    assert 'name="next" value="/inbox/?view=mine"' in html
    for code, name in [("en", "English"), ("nb", "Norsk (bokmål)"), ("sv", "Svenska"), ("fi", "Suomi"),
                       ("nl", "Nederlands")]:
        assert f'<option value="{code}" lang="{code}">{name}</option>' in html
    assert '<option value="da" lang="da" selected>Dansk</option>' in html
    assert html.count("<option") == len(settings.LANGUAGES)
    assert "<button type=\"submit\">Skift sprog</button>" in html


def po_entries(text: str) -> dict[str, list[str]]:
    """``msgid: [msgstr, …]`` of a .po file (one string, or one per plural form; continued lines joined; the header,
    msgid "", left out)."""
    entries: dict[str, list[str]] = {}
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
                key, _, rest = line.partition(" ")
                fields[key] = ast.literal_eval(rest)
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            forms = [value for name, value in sorted(fields.items()) if name.startswith("msgstr")]
            entries[fields["msgid"]] = [fields.get("msgid_plural", ""), *forms]
    return entries


@pytest.mark.parametrize("app", TRANSLATED_APPS)
@pytest.mark.parametrize("code", list(VIEW_NAMES))
def test_it_ships_a_complete_compiled_catalogue(app: str, code: str) -> None:
    """No empty or fuzzy entry in the .po, and the .mo says the same (a stale .mo would show English or old text)."""
    po = WEBCARE_DIR / app / "locale" / code / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    entries = po_entries(text)
    assert len(entries) >= 8
    assert "#, fuzzy" not in text
    assert [msgid for msgid, (_plural, *forms) in entries.items() if not all(forms)] == []
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for msgid, (plural, *forms) in entries.items():
        if plural:
            assert [compiled.ngettext(msgid, plural, 1), compiled.ngettext(msgid, plural, 2)] == forms, msgid
        else:
            assert compiled.gettext(msgid) == forms[0], msgid


def test_it_follows_the_agent_to_another_device(personas: Personas) -> None:
    first_device = signed_in(personas.agent)
    first_device.post(LANGUAGE_URL, {"language": "sv"})
    assert Agent.objects.get(user=personas.agent).ui_language == "sv"

    second_device = Client()
    second_device.post("/login/", {"username": "kari", "password": "correct horse battery", "next": "/inbox/"})
    assert view_names(second_device.get("/inbox/")) == VIEW_NAMES["sv"]


def test_it_stores_a_choice_made_on_the_sign_in_page_for_the_next_device(personas: Personas) -> None:
    visitor = Client()
    visitor.post(LANGUAGE_URL, {"language": "nl"})
    visitor.post("/login/", {"username": "kari", "password": "correct horse battery", "next": "/inbox/"})
    assert Agent.objects.get(user=personas.agent).ui_language == "nl"
