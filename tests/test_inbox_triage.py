"""Triage in the inbox, without a browser: the badges on rows and messages, the public-personal-data marker and
order, masked text everywhere (list, conversation, customer timeline, search), showing the personal data (who may),
strong language hidden until asked for, the agent's language, and a list that costs no query per row.

Most tests set triage's results directly on rows made by real ingestion, as the ingestion step would (the detectors
are tested in tests/test_triage_*.py); the last test goes through ingestion with the real detectors.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Personas, client_for, ingest_ticket
from tests.search_support import tantivy_index  # noqa: F401 — a fixture
from webcare.conversations.models import Message
from webcare.inbox.templatetags.triage import masked, masked_text
from webcare.search import indexer
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

HTMX = {"HX-Request": "true"}
PHONE_TEXT = "Hei, ring meg på 412 34 567 i dag, fakturaen er feil"
PHONE_MASKED = "Hei, ring meg på [PHONE] i dag, fakturaen er feil"


def triage(ticket: Ticket, *, subject: str | None = None, priority: int | None = None, public_pii: bool = False,
           **fields: Any) -> Message:
    """Give the ticket's newest inbound message triage's results, and the ticket what the ingestion step copies from
    it (language, sentiment, intents, register, public personal data; the masked subject and the priority)."""
    message = Message.objects.filter(ticket=ticket, direction="inbound").latest("sent_at", "id")
    values = {"language": "nb", "sentiment": 0.0, "sentiment_label": "neutral", "intents": ["question"],
              "register": "unknown"} | fields
    for name, value in values.items():
        setattr(message, name, value)
    message.save()
    ticket_fields = {name: values[name] for name in ("language", "sentiment_label", "intents", "register")}
    ticket_fields["public_pii"] = public_pii
    if subject is not None:
        ticket_fields["subject"] = subject
    if priority is not None:
        ticket_fields["priority"] = priority
    Ticket.objects.filter(pk=ticket.pk).update(**ticket_fields)
    ticket.refresh_from_db()
    return message


def with_phone(personas: Personas, n: int = 1, **payload: Any) -> tuple[Ticket, Message]:
    """A customer who posted a phone number in public, masked by triage."""
    ticket = ingest_ticket(personas, n, text=PHONE_TEXT, conversation_kind="public", **payload)
    start = PHONE_TEXT.index("412")
    message = triage(ticket, subject=PHONE_MASKED, priority=1, public_pii=True, sentiment=-0.4,
                     sentiment_label="negative", intents=["complaint"], register="informal",
                     pii=[{"type": "PHONE", "start": start, "end": start + 10, "kind": "no.phone"}],
                     redacted_text=PHONE_MASKED, signals=["pii_public"])
    return ticket, message


def row_of(page: str, ticket: Ticket) -> str:
    row = page[page.rindex("<li", 0, page.index(f'data-ticket="{ticket.pk}"')):]
    return row[:row.index("</li>")]


def visible_words(html: str) -> str:
    """The page's text without tags, as a rough check of what is printed (attributes and markup dropped)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pane(user: Any, ticket: Ticket) -> str:
    response = client_for(user).get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def reveal_url(ticket: Ticket, message: Message) -> str:
    return f"/inbox/tickets/{ticket.pk}/messages/{message.pk}/personal-data/"


# -- the rows ----------------------------------------------------------------------------------------------------------

def test_it_shows_language_sentiment_intents_and_register_on_each_row(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    triage(ticket, language="nb", sentiment=-0.7, sentiment_label="negative", intents=["complaint", "question"],
           register="informal")
    row = row_of(client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode(), ticket)
    assert '<span aria-hidden="true">NB</span>' in row
    assert "language: Norwegian bokmål" in row
    assert 'data-sentiment="negative"' in row and "negative tone" in row  # the face, and words for a screen reader
    assert ">Complaint<" in row and ">Question<" in row
    assert ">informal<" in row
    assert "pii-public" not in row and "Personal data in public" not in row


def test_it_leaves_out_what_triage_does_not_know(personas: Personas) -> None:
    untriaged = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    Ticket.objects.filter(pk=untriaged.pk).update(language="", sentiment_label="", intents=[], register="")
    english = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    triage(english, language="en", sentiment_label="positive", intents=["praise"], register="unknown")
    page = client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode()
    assert 'class="triage"' not in row_of(page, untriaged)
    row = row_of(page, english)
    assert 'data-sentiment="positive"' in row and "positive tone" in row and ">Praise<" in row and ">EN<" in row
    assert "formal" not in row  # English has no formal address: nothing is shown, not "unknown"


def test_it_puts_a_ticket_with_personal_data_in_public_first_with_a_red_marker(personas: Personas) -> None:
    calm = ingest_ticket(personas, 1, conversation="c-1", author="u-1", sent_at="2026-11-20T08:00:00+00:00")
    triage(calm)
    exposed, _ = with_phone(personas, 2, conversation="c-2", author="u-2", sent_at="2026-11-20T12:00:00+00:00")
    page = client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode()
    assert page.index(f'data-ticket="{exposed.pk}"') < page.index(f'data-ticket="{calm.pk}"')
    row = row_of(page, exposed)
    assert 'class="row prio-1 public-pii"' in row
    marker = re.search(r'<strong class="pii-public">(.*?)</strong>', row)
    assert marker is not None and visible_words(marker.group(1)).strip() == "! Personal data in public"
    assert "pii-public" not in row_of(page, calm)


def test_it_shows_the_badges_in_the_agents_language(personas: Personas) -> None:
    exposed, _ = with_phone(personas)
    client = client_for(personas.agent)
    client.post("/inbox/language/", {"language": "nb"})
    row = row_of(client.get("/inbox/list/?view=unassigned").content.decode(), exposed)
    for words in ("Personopplysninger offentlig", "Klage", "uformell", "negativ tone", "språk: norsk bokmål",
                  "telefonnummer"):
        assert words in row, words


def test_it_lists_rows_with_triage_without_a_query_per_row(personas: Personas) -> None:
    def queries_for_list() -> int:
        client = client_for(personas.agent)
        client.get("/inbox/list/?view=unassigned")  # sessions, counts' first computation
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/inbox/list/?view=unassigned").status_code == 200
        return len(captured)

    with_phone(personas, 1, conversation="c-1", author="u-1")
    few = queries_for_list()
    for n in range(2, 12):
        ticket = ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}")
        triage(ticket, intents=["complaint", "sales_lead"], register="formal", sentiment_label="negative")
    assert queries_for_list() == few


# -- masked text -------------------------------------------------------------------------------------------------------

def test_it_shows_only_the_masked_text_in_the_list_and_the_conversation(personas: Personas) -> None:
    ticket, _ = with_phone(personas)
    client = client_for(personas.agent)
    listing = client.get("/inbox/").content.decode()
    conversation = pane(personas.agent, ticket)
    for html in (listing, conversation):
        assert "412 34 567" not in html
        assert "[PHONE]" not in visible_words(html)  # a chip that says what was hidden, not the raw placeholder
        assert '<span class="pii-chip" data-pii="PHONE"><span class="visually-hidden">hidden: </span>phone number' \
               '</span>' in html
    assert "i dag, fakturaen er feil" in conversation


def test_it_marks_personal_data_in_public_in_the_conversation_header(personas: Personas) -> None:
    ticket, _ = with_phone(personas)
    header = pane(personas.agent, ticket).split("</header>")[0]
    assert 'class="pii-alert" role="note"' in header
    assert "Personal data in public" in header
    calm = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    triage(calm)
    assert "pii-alert" not in pane(personas.agent, calm)


def test_it_shows_the_badges_and_signals_on_the_customers_messages_only(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    Message.objects.filter(pk=message.pk).update(signals=["pii_public", "anger", "threat", "repeat_contact"])
    do_reply(ticket, personas.agent, "Hei! Vi ringer deg nå. Mvh Kari")
    # Even if an outbound message carried triage's fields, it gets no badges.
    Message.objects.filter(ticket=ticket, direction="outbound").update(language="nb", intents=["praise"],
                                                                        sentiment_label="positive")
    html = pane(personas.agent, ticket)
    inbound = html[html.index('class="msg inbound'):]
    inbound = inbound[:inbound.index("</li>")]
    for words in ("urgent: personal data in public", "angry", "threat to go public or leave",
                  "wrote on another channel this week", ">NB<", ">Complaint<", ">informal<", "negative tone"):
        assert words in inbound, words
    assert inbound.index("urgent: personal data in public") < inbound.index(">NB<")  # the urgent first
    outbound = html[html.index('class="msg outbound'):]
    outbound = outbound[:outbound.index("</li>")]
    assert 'class="triage"' not in outbound and 'class="tri ' not in outbound and ">Praise<" not in outbound


def test_it_escapes_the_text_before_it_marks_the_placeholders() -> None:
    html = masked_text('<img src=x onerror="alert(1)"> [EMAIL]\nog [NOT_A_PLACEHOLDER] [phone]')
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<span class="pii-chip" data-pii="EMAIL">' in html
    assert "<br>og [NOT_A_PLACEHOLDER] [phone]" in html  # only triage's own placeholders become chips
    assert masked("<b>[IBAN]</b>").startswith("&lt;b&gt;<span class=\"pii-chip\" data-pii=\"IBAN\">")
    assert masked("Fakturaen er feil") == "Fakturaen er feil"


def test_it_shows_the_masked_subject_in_the_customers_timeline(personas: Personas) -> None:
    exposed, _ = with_phone(personas, 1, conversation="c-1", author="u-1", sent_at="2026-11-20T08:00:00+00:00")
    later = ingest_ticket(personas, 2, conversation="c-2", author="u-1", text="Hallo igjen",
                          sent_at="2026-11-20T12:00:00+00:00")
    assert later.customer_id == exposed.customer_id
    card = pane(personas.agent, later)
    card = card[card.index('id="customer-card"'):]
    timeline = card[card.index('class="customer-timeline"'):]
    assert f'data-ticket="{exposed.pk}"' in timeline
    assert "412 34 567" not in timeline
    assert 'data-pii="PHONE"' in timeline


@pytest.mark.usefixtures("tantivy_index")
def test_it_searches_the_masked_text_only(personas: Personas) -> None:
    exposed, _ = with_phone(personas, 1, conversation="c-1", author="u-1")
    plain = ingest_ticket(personas, 2, conversation="c-2", author="u-2", text="Ruteren blinker rødt, ordre 77310")
    indexer.sync()
    client = client_for(personas.agent)

    def found(query: str) -> set[int]:
        page = client.get("/inbox/list/", {"view": "search", "q": query}).content.decode()
        return {int(pk) for pk in re.findall(r'<li class="row[^"]*" data-ticket="(\d+)"', page)}

    assert found('"412 34 567"') == set()
    assert found("412") == set()
    assert found("fakturaen") == {exposed.pk}  # the rest of the message is still searchable
    assert found("ruteren") == {plain.pk}  # no personal data in it: the text itself is searched
    assert found("77310") == {plain.pk}


# -- showing the personal data -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_it_shows_the_personal_data_to_those_who_work_tickets(personas: Personas, role: str) -> None:
    ticket, message = with_phone(personas)
    user = getattr(personas, role)
    assert "Show personal data" in pane(user, ticket)
    asked = client_for(user).get(reveal_url(ticket, message), headers=HTMX).content.decode()
    assert "412 34 567" not in asked and 'name="purpose"' in asked  # first the purpose (webcare/access)
    response = client_for(user).post(reveal_url(ticket, message), {"purpose": "call_back"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert PHONE_TEXT in html
    assert "pii-chip" not in html
    assert "Hide personal data" in html and "Personal data shown." in html
    assert "no-store" in response["Cache-Control"]

    hidden = client_for(user).get(reveal_url(ticket, message), {"hide": "1"}, headers=HTMX).content.decode()
    assert "412 34 567" not in hidden and 'data-pii="PHONE"' in hidden and "Show personal data" in hidden


def test_it_never_shows_the_personal_data_to_an_analyst(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    html = pane(personas.analyst, ticket)
    assert "412 34 567" not in html
    assert "Show personal data" not in html and "personal-data/" not in html
    assert client_for(personas.analyst).get(reveal_url(ticket, message), headers=HTMX).status_code == 403


def test_it_answers_another_organisation_and_a_wrong_message_with_404(personas: Personas) -> None:
    ticket, message = with_phone(personas, 1, conversation="c-1", author="u-1")
    other = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    outsider = client_for(personas.outsider)
    assert outsider.get(reveal_url(ticket, message), headers=HTMX).status_code == 404
    agent = client_for(personas.agent)
    assert agent.get(reveal_url(other, message), headers=HTMX).status_code == 404  # not this ticket's message
    reply = do_reply(ticket, personas.agent, "Vi ringer deg. Mvh Kari")
    assert agent.get(reveal_url(ticket, reply), headers=HTMX).status_code == 404  # only the customer's messages
    assert client_for(personas.outsider).get(reveal_url(ticket, message)).status_code == 404


# -- strong language ---------------------------------------------------------------------------------------------------

def test_it_hides_strong_language_until_asked(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text="Faen ta dere, for en drittjeneste")
    message = triage(ticket, profane=True, profanity_terms=["faen", "dritt"], abuse_score=0.8,
                     sentiment_label="negative", intents=["complaint"], signals=["anger"])
    html = pane(personas.agent, ticket)
    text = re.search(rf'<div class="text strong-language" id="msg-text-{message.pk}" lang="nb"([^>]*)>', html)
    assert text is not None and 'aria-hidden="true"' in text.group(1) and "inert" in text.group(1)
    button = re.search(r'<button type="button" class="secondary reveal-language"([^>]*)>([^<]*)</button>', html)
    assert button is not None
    assert f'aria-controls="msg-text-{message.pk}"' in button.group(1)
    assert 'aria-expanded="false"' in button.group(1)
    assert button.group(2) == "Show message (contains strong language)"
    assert "faen" not in html.replace("Faen ta dere", "")  # the matched terms are not printed anywhere
    assert "Show personal data" not in html  # nothing was masked in it


def test_it_blurs_a_subject_cut_from_a_message_with_strong_language(personas: Personas) -> None:
    angry = ingest_ticket(personas, 1, conversation="c-1", author="u-1", text="Faen ta dere, for en drittjeneste",
                          sent_at="2026-11-20T08:00:00+00:00")
    message = triage(angry, profane=True, profanity_terms=["faen", "dritt"], sentiment_label="negative")
    calm = ingest_ticket(personas, 2, conversation="c-1", author="u-1", text="Unnskyld, men det haster",
                         sent_at="2026-11-20T09:00:00+00:00")
    assert calm.pk == angry.pk  # a calmer message later on the same ticket: the subject is still the first line
    later = ingest_ticket(personas, 3, conversation="c-2", author="u-1", text="Hei igjen",
                          sent_at="2026-11-20T12:00:00+00:00")
    blurred = '<span class="tri tri-strong">strong language</span> <span class="blurred" aria-hidden="true"'

    row = row_of(client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode(), angry)
    assert blurred + ">Faen ta dere" in row
    header = pane(personas.agent, angry).split("</h2>")[0]
    assert blurred + f' data-shown-with="msg-text-{message.pk}">Faen ta dere' in header
    timeline = pane(personas.agent, later).split('class="customer-timeline"')[1]
    assert blurred + ">Faen ta dere" in timeline
    row = row_of(client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode(), later)
    assert "blurred" not in row and "Hei igjen" in row


def test_it_shows_a_message_without_strong_language_plainly(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text="Takk for god hjelp!")
    triage(ticket, sentiment_label="positive", intents=["praise"])
    html = pane(personas.agent, ticket)
    assert "strong-language" not in html and "reveal-language" not in html
    assert '<div class="text" lang="nb">Takk for god hjelp!</div>' in html  # a screen reader reads it in Norwegian


# -- through ingestion, with the real detectors ------------------------------------------------------------------------

def test_it_triages_a_public_phone_number_through_ingestion_into_a_masked_urgent_row(personas: Personas) -> None:
    calm = ingest_ticket(personas, 1, conversation="c-1", author="u-1", sent_at="2026-11-20T08:00:00+00:00",
                         text="Hei, når kommer neste faktura?")
    exposed = ingest_ticket(personas, 2, conversation="c-2", author="u-2", conversation_kind="public",
                            sent_at="2026-11-20T12:00:00+00:00",
                            text="Dere må ringe meg på 412 34 567 nå, internett har vært nede i tre dager!")
    assert exposed.public_pii and exposed.priority == 1
    page = client_for(personas.agent).get("/inbox/").content.decode()
    assert page.index(f'data-ticket="{exposed.pk}"') < page.index(f'data-ticket="{calm.pk}"')
    assert "Personal data in public" in row_of(page, exposed)
    assert ">NB<" in row_of(page, calm)
    conversation = pane(personas.agent, exposed)
    for html in (page, conversation):
        assert "412 34 567" not in html
    assert 'data-pii="PHONE"' in conversation
