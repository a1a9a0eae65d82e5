"""Calm under storms: the topics view never makes a supervisor wait for a week's counting (webcare/insights/warm.py
and the page's counting in steps, webcare/insights/views.py).

- the automation task stores the whole days the page will sum (this week's, last week's, the week before's), most
  needed first, a bounded amount per organisation and pass, again before the page would find them stale, and afresh
  for a changed theme; one process warms an organisation at a time (a lease), and two at once neither crash nor
  store a count twice;
- a page whose days are not counted yet answers at once with its progress, and its htmx requests count the days in
  steps until the figures show — the same figures as counting at once; the CSV counts while it answers.

Real database (SQLite and PostgreSQL); the data is test_topics.py's two weeks of Fjordnett's customers.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from html import unescape
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qsl

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection

from tests.conftest import Personas, client_for
from tests.test_topics import NOW, PAGE, cells, feedback, get, message, oslo, topic_row
from webcare.core.automation import run_once
from webcare.insights import figures, topics, views, warm
from webcare.insights.actions import do_save_theme
from webcare.insights.models import DayDigest, ThemeSetup, WarmLease

__all__ = ["feedback"]  # the fixture, used by name

#: The whole days the page asks for on Thursday 19 November 14:02 (rounded to 14:00), most needed first: this week's
#: finished days, last week's up to the same weekday, the rest of last week, the week before.
THIS_SPAN = [oslo(16, 0), oslo(17, 0), oslo(18, 0)]
LAST_SPAN = [oslo(9, 0), oslo(10, 0), oslo(11, 0)]
REST_OF_LAST_WEEK = [oslo(12, 0), oslo(13, 0), oslo(14, 0), oslo(15, 0)]
WEEK_BEFORE = [oslo(day, 0) for day in range(2, 9)]
WANTED = THIS_SPAN + LAST_SPAN + REST_OF_LAST_WEEK + WEEK_BEFORE
#: Of those, the days counted less than a week after they ended (on Thursday: from last Thursday on) — counted again
#: before the page would find them stale; the others' counts are final.
NOT_FINAL = [oslo(day, 0) for day in range(12, 19)]


@pytest.fixture(autouse=True)
def fresh_memory() -> None:
    cache.clear()


def stored(personas: Personas) -> list[datetime]:
    return sorted(DayDigest.objects.filter(organisation=personas.org).values_list("start", flat=True))


def digest_of(personas: Personas, start: datetime) -> topics.Digest:
    return topics.from_json(DayDigest.objects.get(organisation=personas.org, start=start).data)


def messages_of(personas: Personas, start: datetime) -> int:
    return figures.messages_of(digest_of(personas, start))


def counted_now(personas: Personas, start: datetime) -> topics.Digest:
    themes = figures.theme_set(personas.org)
    day = figures.Span(start, start + timedelta(days=1))
    return topics.count(figures.rows(personas.org.pk, day, themes.labels), themes.themes, figures.terms_function())


# -- the warm-up task -------------------------------------------------------------------------------------------------


def test_it_stores_the_days_the_page_will_sum_and_the_page_then_counts_none(
        personas: Personas, feedback: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert warm.wanted_days(personas.org, NOW) == [figures.Span(day, day + timedelta(days=1)) for day in WANTED]
    assert warm.run(NOW) == 2 * len(WANTED)  # both organisations, each in one pass: a few messages only
    assert stored(personas) == sorted(WANTED)
    version = ThemeSetup.objects.get(organisation=personas.org).version
    rows = DayDigest.objects.filter(organisation=personas.org)
    assert {(row.version, row.with_terms, row.computed_at) for row in rows} == {(version, True, NOW)}
    for day in (oslo(16, 0), oslo(10, 0)):
        assert digest_of(personas, day) == topics.from_json(topics.to_json(counted_now(personas, day)))
    assert warm.run(NOW + timedelta(minutes=1)) == 0  # nothing due again so soon

    def no_counting(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the page counted a whole day")

    monkeypatch.setattr(figures, "store_day", no_counting)
    html = get(client_for(personas.supervisor)).content.decode()  # a first look: nothing remembered
    billing = cells(topic_row(html, "Invoice / billing"))
    assert (billing["total"], billing["last-total"]) == ("4", "1") and 'id="topic-counts"' in html


def test_a_pass_counts_a_bounded_amount_most_needed_days_first(personas: Personas, feedback: dict[str, Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm, "MAX_MESSAGES", 1)  # a day with more than this is still counted whole
    added = []
    moment, before = NOW, set()
    while done := warm.warm(personas.org, moment):
        after = set(stored(personas))
        added.append((done, sorted(after - before)))
        moment, before = moment + timedelta(seconds=15), after
    assert sorted(day for _, days in added for day in days) == sorted(WANTED)
    ranks = [sorted(WANTED.index(day) for day in days) for _, days in added]
    assert all(a[-1] < b[0] for a, b in pairwise(ranks))  # the most needed first
    for done, days in added:  # a pass stops after its first day with messages: the budget is spent
        assert done == len(days) and sum(bool(messages_of(personas, day)) for day in days) <= 1
    assert len(added) < len(WANTED)  # days without messages cost nothing and are done in passing
    monday = digest_of(personas, oslo(16, 0))
    assert sum(n for cell, n in monday.counts.items() if cell[0] == "all") == 3  # more than the budget: whole


def test_a_stored_day_is_counted_again_before_the_page_finds_it_stale_until_it_is_final(
        personas: Personas, feedback: dict[str, Any]) -> None:
    warm.run(NOW)
    later = NOW + warm.REFRESH_AFTER + timedelta(minutes=1)
    assert later - NOW < timedelta(seconds=figures.DAY_SECONDS)  # before the page would count a day itself
    message(feedback["pii"].channel, oslo(16, 20), "Fakturaen er dobbel", "negative")  # a late import
    assert warm.warm(personas.org, later) == len(NOT_FINAL)
    assert DayDigest.objects.get(organisation=personas.org, start=oslo(16, 0)).computed_at == later
    billing = next(theme.key for theme in figures.theme_set(personas.org).themes if theme.name == "Invoice / billing")
    assert sum(n for cell, n in digest_of(personas, oslo(16, 0)).counts.items()
               if cell[:2] == ("theme", billing)) == 2  # Monday's invoice … and the late one now
    # A week after a day ended its count is final: never counted again.
    assert DayDigest.objects.get(organisation=personas.org, start=oslo(10, 0)).computed_at == NOW  # final at NOW
    next_week = NOW + timedelta(days=8, minutes=2)
    warm.warm(personas.org, next_week)
    assert DayDigest.objects.get(organisation=personas.org, start=oslo(16, 0)).computed_at == next_week
    assert DayDigest.objects.get(organisation=personas.org, start=oslo(10, 0)).computed_at == NOW
    hours_later = next_week + timedelta(hours=3)
    due = warm.due_days(personas.org.pk, warm.wanted_days(personas.org, hours_later),
                        figures.theme_set(personas.org), figures.terms_function(), hours_later)
    assert oslo(16, 0) not in {day.start for day in due}  # final now
    assert oslo(23, 0) in {day.start for day in due}  # a day of that week, counted less than a week after it ended


def test_a_changed_theme_is_warmed_afresh_under_its_new_version(personas: Personas, feedback: dict[str, Any]) -> None:
    warm.run(NOW)
    with time_machine.travel(NOW, tick=False):
        do_save_theme(personas.org, personas.supervisor, theme_id="", name="Mobile data", keywords="esim*",
                      labels=[], intents=[])
    version = ThemeSetup.objects.get(organisation=personas.org).version
    assert not DayDigest.objects.filter(organisation=personas.org).exists()
    assert warm.warm(personas.org, NOW + timedelta(minutes=1)) == len(WANTED)
    assert set(DayDigest.objects.filter(organisation=personas.org).values_list("version", flat=True)) == {version}
    themes = figures.theme_set(personas.org)
    mobile = next(theme.key for theme in themes.themes if theme.name == "Mobile data")
    monday = digest_of(personas, oslo(16, 0))
    assert sum(n for cell, n in monday.counts.items() if cell[:2] == ("theme", mobile)) == 2  # Monday's eSIM ones


def test_one_process_warms_an_organisation_until_its_lease_expires(personas: Personas,
                                                                   feedback: dict[str, Any]) -> None:
    assert warm.warm(personas.org, NOW, holder="a") == len(WANTED)
    message(feedback["pii"].channel, oslo(16, 20), "Fakturaen er dobbel", "negative")
    DayDigest.objects.filter(organisation=personas.org).update(computed_at=NOW - timedelta(hours=2))
    assert warm.warm(personas.org, NOW + timedelta(seconds=15), holder="b") == 0  # a holds it
    assert warm.warm(personas.org, NOW + warm.LEASE + timedelta(seconds=1), holder="b") == len(NOT_FINAL)
    assert WarmLease.objects.get(organisation=personas.org).holder == "b"
    assert warm.warm(personas.org, NOW + warm.LEASE + timedelta(seconds=20), holder="a") == 0


@pytest.mark.django_db(transaction=True)
def test_two_processes_at_once_neither_crash_nor_count_twice(personas: Personas, feedback: dict[str, Any]) -> None:
    barrier = threading.Barrier(2, timeout=30)
    results: list[int] = []
    errors: list[BaseException] = []

    def process(holder: str, lease: bool) -> None:
        try:
            barrier.wait()
            if lease:
                results.append(warm.warm(personas.org, NOW, holder=holder))
            else:  # past the lease: both count the same days at the same moment
                themes = figures.theme_set(personas.org)
                results.append(figures.count_days(personas.org.pk, [figures.Span(day, day + timedelta(days=1))
                                                                    for day in WANTED],
                                                  themes, figures.terms_function(), 10_000, NOW))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    for lease in (True, False):
        DayDigest.objects.all().delete()
        WarmLease.objects.all().delete()
        results.clear()
        threads = [threading.Thread(target=process, args=(holder, lease)) for holder in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert sorted(results) == ([0, len(WANTED)] if lease else [len(WANTED)] * 2)
        assert stored(personas) == sorted(WANTED)  # one row a day
        monday = digest_of(personas, oslo(16, 0))
        assert monday == topics.from_json(topics.to_json(counted_now(personas, oslo(16, 0))))  # not doubled


def test_the_automation_loop_runs_it(personas: Personas, feedback: dict[str, Any], settings: Any) -> None:
    from webcare.core import automation

    settings.WEBCARE_AUTOMATION_TASKS = ["webcare.insights.warm.run"]
    automation.tasks.cache_clear()
    try:
        assert run_once(NOW) == {"insights.warm": 2 * len(WANTED)}
    finally:
        automation.tasks.cache_clear()
    assert stored(personas) == sorted(WANTED)


# -- a first look before the warm-up -----------------------------------------------------------------------------------


def test_a_cold_page_answers_at_once_and_counts_in_steps_to_the_same_figures(
        personas: Personas, feedback: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "COUNT_NOW", 0)  # as if these days held a million messages
    monkeypatch.setattr(views, "STEP", 1)  # a day a step
    client = client_for(personas.supervisor)
    page = get(client)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Counting the messages of 6 days: 0 done" in html and '<progress max="6" value="0"' in html
    assert 'id="topics"' not in html and not DayDigest.objects.exists()
    step = re.search(r'id="topic-counts"[^>]* hx-get="([^"?]+)\?([^"]+)"', html)
    assert step is not None and step.group(1) == PAGE
    query = dict(parse_qsl(unescape(step.group(2))))
    assert query == {"week": "2026-W47", "sort": "volume", "part": "counts"}
    assert 'id="download-csv"' in html and 'id="topics-week"' in html  # the filters and downloads are there
    progress = []
    for _ in range(10):
        fragment = get(client, PAGE, **query).content.decode()
        found = re.search(r"Counting the messages of 6 days: (\d) done", fragment)
        if found is None:
            break
        progress.append(int(found.group(1)))
        assert "<html" not in fragment and 'hx-trigger="load delay:200ms"' in fragment
    # A step counts up to its first day with messages (empty days are free); the last, empty Wednesday of last week
    # is nothing to wait for, so the counts come at once.
    assert progress == [1, 2, 3]
    assert fragment.startswith('<div id="topic-counts">') or 'id="topic-counts"' in fragment[:200]
    assert cells(topic_row(fragment, "Invoice / billing")) == {
        "total": "4", "complaints": "3", "praise": "1", "neutral": "0", "last-total": "1", "last-complaints": "1",
        "last-praise": "0", "change": "+3"}
    assert cells(topic_row(fragment, "eSIM"))["total"] == "6"
    assert len(stored(personas)) == 6
    again = get(client).content.decode()  # now counted: the whole page at once
    assert "Counting the messages" not in again and cells(topic_row(again, "Invoice / billing"))["total"] == "4"


def test_a_small_backlog_is_counted_at_once_and_the_csv_always_is(personas: Personas, feedback: dict[str, Any],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    html = get(client_for(personas.supervisor)).content.decode()  # a few messages: under COUNT_NOW
    assert "Counting the messages" not in html and cells(topic_row(html, "Invoice / billing"))["total"] == "4"
    DayDigest.objects.all().delete()
    cache.clear()
    monkeypatch.setattr(views, "COUNT_NOW", 0)
    answer = get(client_for(personas.supervisor), format="csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    lines = answer.content.decode("utf-8-sig").splitlines()
    billing = next(line for line in lines if ",Invoice / billing," in line)
    assert ",defined,4,3,1,0,1,1,0,0,3," in billing


def test_a_bad_part_is_refused_naming_it(personas: Personas, feedback: dict[str, Any]) -> None:
    answer = get(client_for(personas.supervisor), part="everything")
    assert answer.status_code == 400 and "part: counts or nothing" in answer.content.decode()
    assert get(client_for(personas.agent), part="counts").status_code == 403


def test_a_page_of_another_week_counts_its_own_days(personas: Personas, feedback: dict[str, Any],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "COUNT_NOW", 0)
    html = get(client_for(personas.supervisor), week="2026-W46").content.decode()
    assert "Counting the messages of 14 days: 0 done" in html and "week=2026-W46" in html and "part=counts" in html
    with time_machine.travel(NOW, tick=False):
        warm.run(NOW)
    assert "Counting the messages" not in get(client_for(personas.supervisor), week="2026-W46").content.decode()
