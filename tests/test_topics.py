"""The topics view (webcare/insights): what customers talk about this week against last — weeks in the organisation's
time zone, themes matched by keyword (several languages and inflections), label and intent, terms discovered when
unusually frequent, the complaints/praise split, the change and its significance guard, filters, masked examples,
the CSV export (exact) with its audit entry, who may see and edit what, and editing themes.

The pure core (weeks.py, themes.py, topics.py, export.py, charts.py) is tested without a database; a few tests go
through the page on real data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import count as counter
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from tests.conftest import Personas, client_for
from webcare.audit.actions import TOPICS_EXPORTED as EXPORTED
from webcare.audit.models import AuditEntry
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Channel
from webcare.insights import charts, export, topics
from webcare.insights.defaults import default_themes, ensure_default_themes
from webcare.insights.models import DayDigest, Theme, ThemeSetup
from webcare.insights.themes import CompiledTheme, ThemeInvalid, ThemeSpec, Words, check_theme, split_keywords
from webcare.insights.topics import Digest, Figures, Filters, Row, compare, count, merge
from webcare.insights.weeks import Span, Week, WeekError, comparison, days, pieces
from webcare.tickets.models import Label, Ticket

OSLO = ZoneInfo("Europe/Oslo")
PAGE = "/supervisor/topics/"
THEMES = "/supervisor/topics/themes/"
_ids = counter(1)


@pytest.fixture(autouse=True)
def fresh_figures() -> None:
    """The view remembers its counts (webcare/supervision/remember.py); each test starts without them."""
    cache.clear()


def oslo(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=OSLO)


# -- weeks in the organisation's time zone -----------------------------------------------------------------------------


def test_a_week_is_parsed_or_refused_naming_the_field() -> None:
    assert Week.parse("2026-W47") == Week(2026, 47) and Week(2026, 47).monday().isoformat() == "2026-11-16"
    for raw, said in (("47", "write it as 2026-W47"), ("2026-W54", "2026 has no week 54"), ("", "is not a week")):
        with pytest.raises(WeekError) as refused:
            Week.parse(raw)
        assert str(refused.value).startswith("week: ") and said in str(refused.value)
    assert Week(2026, 1).shift(-1) == Week(2025, 52) and Week(2026, 53).shift(1) == Week(2027, 1)


def test_a_running_week_is_compared_with_the_same_span_of_last_week() -> None:
    now = oslo(19, 14, 2).astimezone(UTC)
    span = comparison(Week(2026, 47), now, OSLO)
    assert span.so_far
    assert (span.this.start, span.this.end) == (oslo(16, 0), now)
    assert (span.last.start, span.last.end) == (oslo(9, 0), oslo(12, 14, 2))
    finished = comparison(Week(2026, 46), now, OSLO)
    assert not finished.so_far
    assert (finished.this.start, finished.this.end, finished.last.start) == (oslo(9, 0), oslo(16, 0), oslo(2, 0))
    with pytest.raises(WeekError, match="week: 2026-W48 has not started yet"):
        comparison(Week(2026, 48), now, OSLO)


def test_the_same_span_keeps_the_wall_clock_across_a_change_to_winter_time() -> None:
    """Summer time ended on Sunday 25 October 2026: last week's span still ends at 10:00 Oslo time, 169 hours of
    last week against 168 … of this one, as the calendar says."""
    now = datetime(2026, 10, 27, 10, 0, tzinfo=OSLO)  # Tuesday after the change
    span = comparison(Week(2026, 44), now, OSLO)
    assert span.last.end == datetime(2026, 10, 20, 10, 0, tzinfo=OSLO)
    assert span.last.end.utcoffset() == timedelta(hours=2) and span.this.end.utcoffset() == timedelta(hours=1)
    assert span.last.start.utcoffset() == timedelta(hours=2) and span.this.start.utcoffset() == timedelta(hours=1)


def test_a_span_is_cut_at_local_midnights() -> None:
    now = oslo(18, 9, 30)
    pieces = days(Span(oslo(16, 0), now), OSLO)
    assert [(piece.start, piece.end, whole) for piece, whole in pieces] == [
        (oslo(16, 0), oslo(17, 0), True), (oslo(17, 0), oslo(18, 0), True), (oslo(18, 0), now, False)]


def test_the_running_day_is_cut_into_whole_hours_and_the_running_rest() -> None:
    now = oslo(18, 9, 30)
    cut = pieces(Span(oslo(16, 0), now), OSLO)
    assert [kind for _, kind in cut] == ["day", "day", *["hour"] * 9, "running"]
    assert cut[2][0] == Span(oslo(18, 0), oslo(18, 1)) and cut[-1][0] == Span(oslo(18, 9), now)
    assert all(a.end == b.start for (a, _), (b, _) in pairwise(cut))
    assert [kind for _, kind in pieces(Span(oslo(16, 0), oslo(18, 9)), OSLO)][-1] == "hour"  # on the hour: no rest


# -- themes ------------------------------------------------------------------------------------------------------------

BILLING = ThemeSpec("Invoice / billing", ("faktura*", "invoice*", "lasku*", "räkning*", "factuur*", "bill"))


def matches(spec: ThemeSpec, text: str, labels: Sequence[str] = (), intents: Sequence[str] = ()) -> bool:
    return CompiledTheme.of("1", spec).matches(Words.of(text), frozenset(labels), intents)


@pytest.mark.parametrize("text", [
    "Fakturaen er feil igjen!!",            # nb, definite form
    "To FAKTURAER for november?",           # nb plural, shouting
    "Laskussa on virhe",                    # fi, inessive
    "Räkningen är för hög",                 # sv, definite
    "rakningen ar for hog",                 # … typed without the dots
    "De factuur klopt niet",                # nl
    "Why are there two invoices this month",  # en plural
    "my bill doubled",
])
def test_a_theme_finds_its_keywords_in_several_languages_and_inflections(text: str) -> None:
    assert matches(BILLING, text)


@pytest.mark.parametrize("text", ["billig abonnement", "Billy the kid", "the app is slow", "invo"])
def test_a_whole_word_keyword_is_not_a_prefix(text: str) -> None:
    assert not matches(BILLING, text)


def test_a_theme_matches_by_ticket_label_or_by_intent_and_phrases_are_whole() -> None:
    outage = ThemeSpec("Bergen outage", ("virker ikke",), labels=("outage-bergen",))
    assert matches(outage, "Alt er svart her", labels=["outage-bergen", "vip"])
    assert not matches(outage, "Alt er svart her", labels=["outage-oslo"])
    assert matches(outage, "Nettet virker ikke!") and not matches(outage, "ikke virker")
    leads = ThemeSpec("Sales leads", intents=("sales_lead",))
    assert matches(leads, "Hva koster det?", intents=["question", "sales_lead"])
    assert not matches(leads, "Hva koster det?", intents=["question"])


def test_a_term_a_theme_already_counts_is_covered_by_it() -> None:
    billing = CompiledTheme.of("1", BILLING)
    assert billing.covers_term("faktur") and billing.covers_term("fakturagebyr") and billing.covers_term("invoic")
    assert billing.covers_term("bill") and not billing.covers_term("billig") and not billing.covers_term("esim")
    assert not CompiledTheme.of("2", ThemeSpec("Leads", intents=("sales_lead",))).covers_term("esim")


def test_a_theme_is_checked_naming_the_field_at_fault() -> None:
    ok = check_theme(" Premium  price ", ["premium", "pris*"], ["billing"], ["complaint"],
                     known_labels=["billing"], taken_names=["Outage"])
    assert ok == ThemeSpec("Premium price", ("premium", "pris*"), ("billing",), ("complaint",))
    cases = [
        (("", ["a"], [], []), "name", "give the theme a name"),
        (("x" * 81, ["a"], [], []), "name", "at most 80 characters"),
        (("outage", ["a"], [], []), "name", "already a theme called"),
        (("New", ["*"], [], []), "keywords", "has no word to look for"),
        (("New", ["a" * 61], [], []), "keywords", "longer than 60 characters"),
        (("New", [], ["nope"], []), "labels", "no label is called “nope”"),
        (("New", [], [], ["spam"]), "intents", "“spam” is not an intent"),
        (("New", [], [], []), "keywords", "at least one keyword, label or intent"),
    ]
    for (name, keywords, labels, intents), field, said in cases:
        with pytest.raises(ThemeInvalid) as refused:
            check_theme(name, keywords, labels, intents, known_labels=["billing"], taken_names=["Outage"])
        assert refused.value.field == field and said in refused.value.message, (name, keywords, labels, intents)
    assert split_keywords("faktura*, invoice*\nlasku* ;  ; Faktura*, two  words") == (
        "faktura*", "invoice*", "lasku*", "two words")


# -- counting and comparing (the pure core) ----------------------------------------------------------------------------


def row(text: str, sentiment: str = "neutral", *, channel: int = 1, language: str = "nb",
        intents: tuple[str, ...] = ("question",), labels: Sequence[str] = ()) -> Row:
    return Row(next(_ids), channel, language, sentiment, intents, text, frozenset(labels))


def words_as_terms(text: str, language: str) -> tuple[str, ...]:
    """A stand-in for the choir's salient terms in the pure tests: the lower-case words of four letters or more."""
    return tuple(dict.fromkeys(w.strip(".,!?").lower() for w in text.split() if len(w.strip(".,!?")) >= 4))


THEMES_ = (CompiledTheme.of("billing", BILLING),)


EVERYTHING = Filters()


def view(this: list[Row], last: list[Row], *, filters: Filters = EVERYTHING, sort: str = "volume",
         themes: Sequence[CompiledTheme] = THEMES_) -> topics.View:
    return compare(count(this, themes, words_as_terms), count(last, themes, words_as_terms), themes, filters, sort)


def test_it_counts_this_week_against_last_with_the_complaints_and_praise_split() -> None:
    this = [row("fakturaen er feil", "negative"), row("lasku on väärin", "negative", language="fi"),
            row("thanks, invoice fixed", "positive", language="en"), row("hvor finner jeg fakturaen?"),
            row("hei"), row("buy followers faktura", "negative", intents=("spam",))]
    last = [row("fakturaen kom ikke", "negative")]
    result = view(this, last)
    billing = next(t for t in result.topics if t.kind == "defined")
    assert (billing.name, billing.key) == ("Invoice / billing", "billing")
    assert billing.this == Figures(complaints=2, neutral=1, praise=1) and billing.this.total == 4
    assert billing.last == Figures(complaints=1) and billing.change.absolute == 3
    assert billing.change.percent is None and not billing.change.new  # one message last week: no per cent
    assert dict(billing.languages) == {"nb": 2, "fi": 1, "en": 1}
    assert result.everything_this == Figures(complaints=2, neutral=2, praise=1)  # the spam is not counted at all
    assert result.everything_last.total == 1


def test_the_significance_guard_keeps_small_bases_from_the_top() -> None:
    assert topics.Change.between(212, 129).percent == 64
    assert topics.Change.between(3, 1).percent is None and topics.Change.between(3, 1).absolute == 2
    assert topics.Change.between(5, 0).new and topics.Change.between(5, 0).percent is None
    assert topics.Change.between(11, 10).percent == 10
    assert topics.significance(212, 148) > topics.significance(3, 1) > 0 > topics.significance(1, 3)
    big = [row(f"fakturaen {n}", "negative") for n in range(30)]
    small = ThemeSpec("Premium", ("premium",))
    themes = (*THEMES_, CompiledTheme.of("premium", small))
    result = view([*big, row("premium"), row("premium"), row("premium")],
                  [*(row(f"fakturaen {n}") for n in range(18)), row("premium")], sort="growth", themes=themes)
    assert [t.key for t in result.topics if t.kind == "defined"] == ["billing", "premium"]  # 18 → 30 beats 1 → 3
    assert result.topics[0].change.percent == 67


def test_sorting_by_volume_and_by_complaints() -> None:
    themes = (*THEMES_, CompiledTheme.of("premium", ThemeSpec("Premium", ("premium",))))
    this = ([row("fakturaen", "negative")] + [row("premium", "positive") for _ in range(3)])
    assert [t.key for t in view(this, [], themes=themes).topics] == ["premium", "billing"]
    assert [t.key for t in view(this, [], themes=themes, sort="complaints").topics] == ["billing", "premium"]
    with pytest.raises(ValueError, match="sort: one of volume, growth, complaints"):
        view(this, [], sort="random")


def test_a_term_is_discovered_when_unusually_frequent_and_merged_across_languages() -> None:
    background = [row(f"mobilnett dekning {n}") for n in range(40)]
    this = background + [row("esim aktivering feiler", "negative"), row("esim aktivering virker ikke", "negative"),
                         row("esim aktivering tar tid"), row("esim aktivera fungerar inte", language="sv"),
                         row("cannot activate esim", "negative", language="en"),
                         row("fakturaen", "negative"), row("fakturaen"), row("fakturaen")] * 2
    last = [*background, row("esim bra")]
    result = view(this, last)
    discovered = [t for t in result.topics if t.kind == "discovered"]
    assert [t.key for t in discovered][:1] == ["term:esim"]
    esim = discovered[0]
    assert esim.this.total == 10 and esim.this.complaints == 6 and esim.last.total == 1
    assert dict(esim.languages) == {"nb": 6, "sv": 2, "en": 2}  # one topic across three languages
    assert esim.companions == ("aktivering",) and esim.name == "esim · aktivering"
    renamed = topics.named(result, {esim.examples[0]: "Får ikke aktivering av eSIM-en"})
    assert next(t.name for t in renamed.topics if t.key == "term:esim") == "eSIM · aktivering"
    assert "term:aktivering" not in {t.key for t in discovered}  # named beside esim, not a topic of its own
    keys = {t.key for t in discovered}
    assert "term:mobilnett" not in keys and "term:dekning" not in keys  # frequent both weeks: nothing new
    assert "term:fakturaen" not in keys  # the billing theme counts it already


def test_a_discovered_term_is_named_as_customers_wrote_it() -> None:
    assert topics.readable("virh", ["Laskussa on virhe", "virheen takia", "Virhe!"]) == "virhe"
    assert topics.readable("E503", ["Feil E503 igjen", "e503"]) == "E503"
    assert topics.readable("bergen", ["Nede i Bergen", "bergen er svart", "Svart i Bergen"]) == "Bergen"
    assert topics.readable("chromecast", ["nothing here"]) == "chromecast"


def test_a_term_a_few_times_is_not_a_topic() -> None:
    result = view([row("chromecast virker ikke") for _ in range(4)], [])
    assert not [t for t in result.topics if t.kind == "discovered"]  # fewer than five messages
    result = view([row("chromecast virker ikke") for _ in range(12)], [row("chromecast") for _ in range(10)])
    assert not [t for t in result.topics if t.key == "term:chromecast"]  # 10 → 12 is not unusual


def test_filters_count_one_channel_or_one_language_and_pick_examples_from_it() -> None:
    this = [row("fakturaen er feil", "negative", channel=1), row("invoice wrong", "negative", channel=2,
                                                                 language="en"),
            row("thanks for the invoice", "positive", channel=2, language="en"), row("lasku", channel=3,
                                                                                      language="fi")]
    ids = {r.text: r.id for r in this}
    by_channel = view(this, [], filters=Filters(channel_id=2)).topics[0]
    assert by_channel.this == Figures(complaints=1, praise=1) and by_channel.channels == ((2, 2),)
    assert set(by_channel.examples) == {ids["invoice wrong"], ids["thanks for the invoice"]}
    by_language = view(this, [], filters=Filters(language="fi")).topics[0]
    assert by_language.this == Figures(neutral=1) and by_language.examples == (ids["lasku"],)
    everything = view(this, []).topics[0]
    assert everything.examples[0] in (ids["fakturaen er feil"], ids["invoice wrong"])  # complaints first
    assert len(everything.examples) == 3 and len({*everything.examples}) == 3
    assert view(this, [], filters=Filters(channel_id=9)).topics == ()


def test_a_week_is_the_sum_of_its_days() -> None:
    monday = [row("fakturaen", "negative"), row("esim esim aktivering")]
    tuesday = [row("invoice", "positive", language="en"), row("esim aktivering", "negative")]
    whole = count(monday + tuesday, THEMES_, words_as_terms)
    summed = merge([count(monday, THEMES_, words_as_terms), count(tuesday, THEMES_, words_as_terms)])
    assert summed.counts == whole.counts and summed.pairs == whole.pairs
    assert merge([]) == Digest()


def test_a_digest_is_stored_as_json_and_pruned_of_single_mentions() -> None:
    digest = count([row("fakturaen esim", "negative", labels=["billing"]), row("esim aktivering"), row("hei")],
                   THEMES_, words_as_terms)
    stored = json.loads(json.dumps(topics.to_json(digest)))
    assert topics.from_json(stored) == digest
    pruned = topics.prune(digest)
    assert {cell[1] for cell in pruned.counts if cell[0] == topics.TERM} == {"esim"}
    assert {cell[0] for cell in pruned.counts} == {topics.ALL, topics.THEME, topics.TERM}
    assert all(cell[1] == "esim" for cell in pruned.examples if cell[0] == topics.TERM)


# -- the CSV and the chart (pure) --------------------------------------------------------------------------------------


def test_the_csv_cells_that_look_like_formulas_are_defused() -> None:
    assert export.cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and export.cell("-1") == "'-1"
    assert export.cell("@fjordnett") == "'@fjordnett" and export.cell("esim") == "esim"


def test_the_semicolon_csv_for_nordic_excel() -> None:
    span = comparison(Week(2026, 46), oslo(19, 14).astimezone(UTC), OSLO)
    result = view([row("fakturaen; tre kroner", "negative")], [])
    text = export.csv_text(span, result, {1: "X, Norge"}, OSLO, delimiter=";")
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[0].startswith("week;period_start;period_end;")
    assert lines[1] == ("2026-W46;2026-11-09 00:00;2026-11-16 00:00;2026-11-02 00:00;2026-11-09 00:00;"
                        "Invoice / billing;defined;1;1;0;0;0;0;0;0;1;;X, Norge (1);nb (1)")
    assert export.filename(span) == "topics-2026-W46.csv"


def test_the_chart_draws_both_weeks_on_one_scale_from_zero() -> None:
    chart = charts.topic_chart([("Invoice", Figures(20, 10, 10), Figures(10, 0, 0)), ("eSIM", Figures(5), Figures())])
    first, second = chart.rows
    this, last = first.bars
    assert chart.scale == 40 and [s.part for s in this.segments] == ["complaints", "neutral", "praise"]
    plot = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_ROOM
    assert sum(s.width for s in this.segments) == pytest.approx(plot, abs=0.2)
    assert sum(s.width for s in last.segments) == pytest.approx(plot / 4, abs=0.2)
    assert this.segments[0].x == charts.LABEL_WIDTH and last.y > this.y
    assert second.bars[1].segments == () and second.bars[1].total == 0


# -- the page on real data ---------------------------------------------------------------------------------------------

NOW = oslo(19, 14, 2)  # Thursday of week 47; the page rounds "now" down to 14:00


def message(channel: Channel, sent_at: datetime, redacted: str, sentiment: str = "neutral", *, language: str = "nb",
            intents: Sequence[str] = ("question",), text: str | None = None, triaged: bool = True,
            ticket_labels: Sequence[Label] = ()) -> Message:
    org = channel.organisation
    conv = Conversation.objects.create(organisation=org, channel=channel, external_id=f"c{next(_ids)}",
                                       kind="private")
    ticket = Ticket.objects.create(organisation=org, conversation=conv)
    ticket.labels.add(*ticket_labels)
    return Message.objects.create(
        organisation=org, channel=channel, conversation=conv, ticket=ticket, direction="inbound", is_public=False,
        external_id=f"m{next(_ids)}", sent_at=sent_at, author_name="Kari", text=text or redacted,
        redacted_text=redacted, language=language, sentiment_label=sentiment, intents=list(intents),
        triaged_at=sent_at if triaged else None)


@pytest.fixture
def feedback(personas: Personas) -> dict[str, Any]:
    """Two weeks of Fjordnett's customers: invoices in four languages on three channels, a label, a sales lead, an
    eSIM problem that is new this week; and what must not count (spam, untriaged, another brand, outside the span)."""
    org = personas.org
    x = Channel.objects.create(organisation=org, kind="x", slug="x", name="X")
    mail = Channel.objects.create(organisation=org, kind="email", slug="mail", name="Email")
    api = personas.channel
    bergen = Label.objects.create(organisation=org, name="outage-bergen")
    ThemeSetup.objects.create(organisation=org)
    Theme.objects.create(organisation=org, name="Invoice / billing",
                         keywords=["faktura*", "invoice*", "lasku*", "räkning*"])
    Theme.objects.create(organisation=org, name="Bergen outage", labels=["outage-bergen"])
    Theme.objects.create(organisation=org, name="Sales leads", intents=["sales_lead"])
    made = {
        "pii": message(x, oslo(16, 9), "Ring meg på [PHONE], fakturaen er feil igjen", "negative",
                       text="Ring meg på 412 34 567, fakturaen er feil igjen"),
        "fi": message(mail, oslo(17, 10), "Laskussa on virhe", "negative", language="fi"),
        "en": message(api, oslo(18, 11), "Thanks, the invoice is fixed now", "positive", language="en"),
        "sv": message(api, oslo(19, 13, 55), "Räkningen är för hög", "negative", language="sv"),
        "bergen": message(api, oslo(17, 8), "Alt er svart her hjemme", "negative", ticket_labels=[bergen]),
        "lead": message(mail, oslo(18, 15), "Vil bytte til dere, hva koster det?", intents=("question", "sales_lead")),
        "last_week": message(x, oslo(10, 12), "Fakturaen kom ikke", "negative"),
        "last_week_late": message(x, oslo(13, 12), "Fakturaen igjen", "negative"),  # Friday: after the same span
        "spam": message(x, oslo(17, 12), "Buy followers, faktura", "negative", intents=("spam",)),
        "untriaged": message(x, oslo(17, 13), "fakturaen", "negative", triaged=False),
        "too_late": message(x, oslo(19, 14, 1), "fakturaen", "negative"),  # after the rounded "now"
    }
    for n in range(6):
        made[f"esim{n}"] = message(api if n % 2 else x, oslo(16 + n % 3, 12, n), "eSIM-en min virker ikke",
                                   "negative" if n < 4 else "neutral")
    other = Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    message(other, oslo(17, 9), "fakturaen", "negative")
    return made


def get(client: Client, path: str = PAGE, **params: str) -> Any:
    with time_machine.travel(NOW, tick=False):
        return client.get(path, params)


def topic_row(html: str, name: str) -> str:
    start = html.index(f"<th scope=\"row\">{name} ")
    return html[start:html.index("</tr>", start)]


def cells(row_html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<td class="num ([\w-]+)">([^<]*)</td>', row_html))


def test_the_page_counts_this_week_so_far_against_the_same_span_of_last_week(personas: Personas,
                                                                            feedback: dict[str, Any]) -> None:
    answer = get(client_for(personas.supervisor))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "This week so far (Mon 16 Nov 00:00 – Thu 19 Nov 14:00)" in html
    assert "same span of last week (Mon 9 Nov 00:00 – Thu 12 Nov 14:00)" in html and "Europe/Oslo" in html
    billing = cells(topic_row(html, "Invoice / billing"))
    assert billing == {"total": "4", "complaints": "3", "praise": "1", "neutral": "0", "last-total": "1",
                       "last-complaints": "1", "last-praise": "0", "change": "+3"}
    assert cells(topic_row(html, "Bergen outage"))["complaints"] == "1"  # by the ticket's label
    assert cells(topic_row(html, "Sales leads"))["neutral"] == "1"  # by the intent
    esim = topic_row(html, "eSIM")  # discovered: new this week, in Norwegian on two channels
    assert 'data-kind="discovered"' in html and cells(esim)["total"] == "6" and cells(esim)["complaints"] == "4"
    assert "new (+6)" in esim and "X (3), API (3)" in esim
    assert '<svg class="topic-bars"' in html and "Messages per topic, this week and last" in html


def test_examples_show_masked_text_only_also_to_analysts(personas: Personas, feedback: dict[str, Any]) -> None:
    html = get(client_for(personas.analyst)).content.decode()
    assert f'data-message="{feedback["pii"].pk}"' in html
    assert "412 34 567" not in html and 'data-pii="PHONE"' in html  # the placeholder as a chip
    assert f'data-message="{feedback["spam"].pk}"' not in html


def test_a_message_late_on_sunday_in_oslo_belongs_to_that_week(personas: Personas,
                                                               feedback: dict[str, Any]) -> None:
    x = Channel.objects.get(organisation=personas.org, slug="x")
    message(x, oslo(15, 23, 30), "Fakturaen!", "negative")  # Sunday 22:30 UTC: week 46
    message(x, oslo(16, 0, 30), "Fakturaen!!", "negative")  # Monday 00:30 Oslo, Sunday 23:30 UTC: week 47
    week46 = get(client_for(personas.supervisor), week="2026-W46").content.decode()
    assert "Week 2026-W46 (Monday 9 Nov to Monday 16 Nov, 00:00)" in week46
    assert cells(topic_row(week46, "Invoice / billing"))["total"] == "3"  # Tuesday, Friday and Sunday night
    week47 = get(client_for(personas.supervisor)).content.decode()
    assert cells(topic_row(week47, "Invoice / billing"))["total"] == "5"


def test_filters_by_channel_and_language(personas: Personas, feedback: dict[str, Any]) -> None:
    x = Channel.objects.get(organisation=personas.org, slug="x")
    client = client_for(personas.supervisor)
    on_x = get(client, channel=str(x.pk)).content.decode()
    assert cells(topic_row(on_x, "Invoice / billing"))["total"] == "1"  # the Norwegian one
    assert "Bergen outage" not in on_x.split('id="topics"')[1].split("</table>")[0]
    in_swedish = get(client, language="sv").content.decode()
    assert cells(topic_row(in_swedish, "Invoice / billing")) | {} == {
        "total": "1", "complaints": "1", "praise": "0", "neutral": "0", "last-total": "0", "last-complaints": "0",
        "last-praise": "0", "change": "new (+1)"}
    for params, field in (({"week": "2026-W60"}, "week"), ({"week": "2026-W48"}, "week"), ({"channel": "999"},
                          "channel"), ({"language": "Norsk!"}, "language"), ({"sort": "name"}, "sort"),
                          ({"format": "xlsx"}, "format"), ({"format": "csv", "sep": "tab"}, "sep")):
        refused = get(client, **params)
        assert refused.status_code == 400, params
        assert f'data-field="{field}"' in refused.content.decode() and f"{field}: " in refused.content.decode()


def test_the_csv_has_one_row_per_topic_exactly_and_is_audited(personas: Personas, feedback: dict[str, Any]) -> None:
    answer = get(client_for(personas.analyst), format="csv", language="fi")
    assert answer.status_code == 200 and answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="topics-2026-W47-so-far.csv"'
    body = answer.content.decode("utf-8")
    assert body == (
        "\ufeffweek,period_start,period_end,compared_start,compared_end,topic,kind,total,complaints,praise,neutral,"
        "last_week_total,last_week_complaints,last_week_praise,last_week_neutral,change,change_percent,top_channels,"
        "top_languages\r\n"
        "2026-W47,2026-11-16 00:00,2026-11-19 14:00,2026-11-09 00:00,2026-11-12 14:00,Invoice / billing,defined,"
        "1,1,0,0,0,0,0,0,1,,Email (1),fi (1)\r\n")
    entry = AuditEntry.objects.get(action=EXPORTED)
    assert entry.actor_id == personas.analyst.pk and entry.organisation_id == personas.org.pk
    assert entry.detail == {"week": "2026-W47", "so_far": True, "channel": None, "language": "fi", "rows": 1}
    everything = list(csv.reader(io.StringIO(get(client_for(personas.supervisor), format="csv").content
                                             .decode("utf-8-sig"))))
    kinds = {line[5]: line[6] for line in everything[1:]}
    assert {name: kind for name, kind in kinds.items() if kind == "defined"} == {
        "Invoice / billing": "defined", "Bergen outage": "defined", "Sales leads": "defined"}
    assert any(name.lower().startswith("esim") and kind == "discovered" for name, kind in kinds.items())
    assert "412 34 567" not in str(everything) and "[PHONE]" not in str(everything)  # figures only, no text


def test_who_may_see_the_topics_and_change_the_themes(personas: Personas, feedback: dict[str, Any]) -> None:
    for user in (personas.supervisor, personas.admin, personas.analyst, personas.outsider):
        assert get(client_for(user)).status_code == 200
        assert get(client_for(user), THEMES).status_code == 200
    assert get(client_for(personas.agent)).status_code == 403
    assert get(client_for(personas.agent), THEMES).status_code == 403
    assert get(client_for(personas.agent), format="csv").status_code == 403
    anonymous = get(Client())
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    outsider = get(client_for(personas.outsider)).content.decode()  # another brand: its own figures only
    assert "Bergen outage" not in outsider and 'data-topic="term:esim"' not in outsider
    theme = Theme.objects.get(organisation=personas.org, name="Sales leads")
    for user in (personas.analyst, personas.agent):
        client = client_for(user)
        assert client.post(THEMES, {"name": "Mine", "keywords": "x"}).status_code == 403
        assert client.post(f"{THEMES}delete/", {"theme": theme.pk}).status_code == 403
    assert Client().post(THEMES, {"name": "Mine", "keywords": "x"}).status_code == 302
    assert client_for(personas.outsider).post(f"{THEMES}delete/", {"theme": theme.pk}).status_code == 422
    assert Theme.objects.filter(pk=theme.pk).exists() and not Theme.objects.filter(name="Mine").exists()
    assert 'id="theme-form"' not in get(client_for(personas.analyst), THEMES).content.decode()
    assert 'id="theme-form"' in get(client_for(personas.supervisor), THEMES).content.decode()
    assert "See how the themes are defined" in get(client_for(personas.analyst)).content.decode()
    assert "Change the themes" in get(client_for(personas.supervisor)).content.decode()


def test_editing_themes_names_the_field_and_counts_afresh(personas: Personas, feedback: dict[str, Any]) -> None:
    client = client_for(personas.supervisor)
    assert 'data-topic="term:esim"' in get(client).content.decode()  # remembered from here on
    assert DayDigest.objects.filter(organisation=personas.org, version=1).count() == 6  # Mon–Wed, both weeks
    version = ThemeSetup.objects.get(organisation=personas.org).version
    for data, field in (({"name": "", "keywords": "premium"}, "name"),
                        ({"name": "Sales leads", "keywords": "premium"}, "name"),
                        ({"name": "Premium price", "keywords": "*"}, "keywords"),
                        ({"name": "Premium price", "labels": ["nope"]}, "labels"),
                        ({"name": "Premium price", "intents": ["spam"]}, "intents"),
                        ({"name": "Premium price"}, "keywords")):
        with time_machine.travel(NOW, tick=False):
            refused = client.post(THEMES, data)
        assert refused.status_code == 422, data
        html = refused.content.decode()
        assert f'id="error-{field}"' in html and "Nothing was saved" in html
    assert not Theme.objects.filter(name="Premium price").exists()
    assert ThemeSetup.objects.get(organisation=personas.org).version == version
    with time_machine.travel(NOW, tick=False):
        saved = client.post(THEMES, {"name": "Mobile data", "keywords": "esim*, aktivering*"})
    assert saved.status_code == 302
    theme = Theme.objects.get(organisation=personas.org, name="Mobile data")
    assert theme.keywords == ["esim*", "aktivering*"] and theme.updated_by_id == personas.supervisor.pk
    assert ThemeSetup.objects.get(organisation=personas.org).version == version + 1
    assert not DayDigest.objects.filter(organisation=personas.org).exists()  # the old counts are gone with it
    after = get(client).content.decode()  # counted afresh at once, though the old figures are remembered
    assert cells(topic_row(after, "Mobile data"))["total"] == "6"
    assert 'data-topic="term:esim"' not in after  # the theme counts it now
    with time_machine.travel(NOW, tick=False):
        changed = client.post(THEMES, {"theme": theme.pk, "name": "eSIM", "keywords": "esim*"})
        deleted = client.post(f"{THEMES}delete/", {"theme": Theme.objects.get(name="Sales leads").pk})
        missing = client.post(f"{THEMES}delete/", {"theme": "123456"})
    assert changed.status_code == deleted.status_code == 302
    assert Theme.objects.get(pk=theme.pk).name == "eSIM" and not Theme.objects.filter(name="Sales leads").exists()
    assert missing.status_code == 422 and "choose one of your organisation" in missing.content.decode()


def test_an_organisation_starts_with_default_themes_from_intents_and_labels(personas: Personas) -> None:
    org = personas.org
    for name in ("billing", "outage-bergen"):
        label = Label.objects.create(organisation=org, name=name)
        message(personas.channel, datetime.now(UTC), "hei", ticket_labels=[label])
    org.languages = ["en", "nb"]
    org.save()
    planned = {theme["name"]: theme for theme in default_themes(org)}
    assert planned["Invoice / billing"]["labels"] == ["billing"] and "faktura*" in planned["Invoice / billing"][
        "keywords"]
    assert planned["Sales leads"]["intents"] == ["sales_lead"]
    assert planned["Outage bergen"]["labels"] == ["outage-bergen"]
    assert ensure_default_themes(org) and not ensure_default_themes(org)
    assert Theme.objects.filter(organisation=org).count() == len(planned)
    Theme.objects.filter(organisation=org).delete()
    assert not ensure_default_themes(org)  # deleting them all does not bring them back
    org.languages = ["nb"]
    assert "Faktura / betaling" in {theme["name"] for theme in default_themes(org)}  # named in the brand's language
