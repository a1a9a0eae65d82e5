"""``webcare import --format twcs``: threads rebuilt from reply links, one organisation per company, real timestamps.

The core tests use ``tests/fixtures/twcs_small.csv`` (synthetic, written for these tests). Lines of that file:
2–6 thread 101 (customer → AcmeSupport → customer → AcmeSupport; 103 spans lines 4–5; 102 comes before its parent),
7–8 thread 201 (Bolt_Help), 9–10 thread 301 (a reply to the missing tweet 299999, so a root), 11–12 thread 401 (no
reply, mentions @bolt_help), 13–14 thread 501 (no company at all), 15 bad date, 16 empty text, 17 bad ``inbound``,
18–20 thread 701 (both companies answer; Bolt_Help first).

The real sample (``../shared/data/twcs/sample.csv``, CC BY-NC-SA, not in the repository) is imported when present.
"""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from tests.support import call_import, summary_value
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Channel, Organisation
from webcare.customers.models import Customer, Identity
from webcare.importers.twcs import org_slug, parse_created_at
from webcare.tickets.models import Status, Ticket, TicketEvent

FIXTURE = Path(__file__).parent / "fixtures" / "twcs_small.csv"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SAMPLE = SHARED_DATA / "twcs" / "sample.csv"


def at(hour: int, minute: int) -> datetime:
    return datetime(2017, 10, 31, hour, minute, tzinfo=UTC)


def run_import(path: Path = FIXTURE, *args: str) -> tuple[str, str]:
    return call_import(path, "twcs", *args)


@pytest.fixture
def imported(db: None) -> tuple[str, str]:
    return run_import()


def test_it_rebuilds_a_thread_into_one_conversation_with_real_times(imported: tuple[str, str]) -> None:
    conversation = Conversation.objects.get(external_id="twcs-101")
    assert conversation.kind == "public"
    messages = list(conversation.messages.order_by("sent_at").values_list("external_id", "direction", "sent_at"))
    assert messages == [
        ("101", "inbound", at(10, 0)),
        ("102", "outbound", at(10, 15)),
        ("103", "inbound", at(10, 20)),
        ("104", "outbound", at(10, 45)),
    ]
    assert conversation.messages.get(external_id="103").text == "@AcmeSupport yes, twice.\nStill nothing."
    assert conversation.messages.get(external_id="102").in_reply_to == "101"


def test_it_gives_the_ticket_the_company_s_first_reply_time(imported: tuple[str, str]) -> None:
    ticket = Ticket.objects.get(conversation__external_id="twcs-101")
    assert ticket.first_inbound_at == at(10, 0)
    assert ticket.first_response_at == at(10, 15)
    assert ticket.last_response_at == at(10, 45)
    assert ticket.first_response_seconds == 15 * 60
    assert ticket.status == Status.PENDING
    assert ticket.waiting_since is None
    # customer → company → customer → company: created, pending, reopened, pending again.
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "new"))
    assert kinds == [("created", "new"), ("status", "pending"), ("reopened", "open"), ("status", "pending")]


def test_it_makes_one_organisation_with_an_x_channel_per_company(imported: tuple[str, str]) -> None:
    assert dict(Organisation.objects.values_list("slug", "name")) == {"acmesupport": "AcmeSupport",
                                                                       "bolt-help": "Bolt_Help"}
    assert sorted(Channel.objects.values_list("organisation__slug", "slug", "kind")) == [
        ("acmesupport", "x", "x"), ("bolt-help", "x", "x")]
    assert set(Conversation.objects.filter(organisation__slug="acmesupport").values_list("external_id", flat=True)) \
        == {"twcs-101", "twcs-301"}
    assert set(Conversation.objects.filter(organisation__slug="bolt-help").values_list("external_id", flat=True)) \
        == {"twcs-201", "twcs-401", "twcs-701"}
    # Company tweets are the brand's replies, not customers.
    assert not Identity.objects.filter(external_id__in=["AcmeSupport", "Bolt_Help"],
                                       organisation__slug__in=["acmesupport"]).exists()
    assert set(Identity.objects.filter(organisation__slug="acmesupport").values_list("external_id", flat=True)) \
        == {"9001", "9003"}


def test_it_treats_a_reply_to_a_missing_tweet_as_a_root(imported: tuple[str, str]) -> None:
    conversation = Conversation.objects.get(external_id="twcs-301")
    assert list(conversation.messages.order_by("sent_at").values_list("external_id", "direction")) == [
        ("301", "inbound"), ("302", "outbound")]
    assert conversation.messages.get(external_id="301").in_reply_to == "299999"
    assert Ticket.objects.get(conversation=conversation).first_response_at == at(12, 5)


def test_it_takes_the_company_from_a_mention_when_nobody_replied(imported: tuple[str, str]) -> None:
    conversation = Conversation.objects.get(external_id="twcs-401")
    assert conversation.organisation.slug == "bolt-help"
    assert list(conversation.messages.values_list("direction", flat=True)) == ["inbound", "inbound"]
    ticket = Ticket.objects.get(conversation=conversation)
    assert ticket.status == Status.NEW
    assert ticket.first_response_at is None
    assert ticket.waiting_since == at(13, 0)


def test_it_skips_a_thread_without_company_and_bad_rows_with_reasons(imported: tuple[str, str]) -> None:
    out, err = imported
    assert err.splitlines() == [
        "line 15: bad date",
        "line 16: empty text",
        "line 17: malformed row (inbound is not True/False)",
        "line 13: no company in thread",
        "line 14: no company in thread",
    ]
    assert not Message.objects.filter(external_id__in=["501", "502", "601", "602", "603"]).exists()
    assert not Conversation.objects.filter(external_id="twcs-501").exists()
    assert summary_value(out, "rows read") == "18"
    assert summary_value(out, "messages stored") == "13"
    assert summary_value(out, "rows skipped") == "5"
    assert re.search(r"no company in thread\s*│\s*2\s*│\s*lines 13, 14", out)
    assert re.search(r"bad date\s*│\s*1\s*│\s*line 15", out)
    assert summary_value(out, "organisations created") == "2"
    assert summary_value(out, "channels created") == "2"


def test_it_gives_a_thread_two_companies_answered_to_the_first_one(imported: tuple[str, str]) -> None:
    conversation = Conversation.objects.get(external_id="twcs-701")
    assert conversation.organisation.slug == "bolt-help"
    # From Bolt_Help's desk, AcmeSupport's tweet in the thread is another participant writing in, not a reply.
    assert list(conversation.messages.order_by("sent_at").values_list("external_id", "direction", "author_name")) == [
        ("701", "inbound", "@9011"), ("702", "outbound", "Bolt_Help"), ("703", "inbound", "@AcmeSupport")]


def test_it_reports_first_response_median_and_90th_percentile(imported: tuple[str, str]) -> None:
    out, _ = imported
    # Answered tickets: 101 after 15 min, 201 after 30 min, 301 after 5 min, 701 after 10 min.
    assert summary_value(out, "first response, median") == "12 min 30 s"
    assert summary_value(out, "first response, 90th pct") == "30 min 0 s"


def test_it_adds_nothing_on_a_second_import(imported: tuple[str, str]) -> None:
    models = (Organisation, Channel, Customer, Identity, Conversation, Message, Ticket, TicketEvent)
    before = {model.__name__: model.objects.count() for model in models}
    out, err = run_import()
    assert {model.__name__: model.objects.count() for model in models} == before
    assert summary_value(out, "messages stored") == "0"
    assert summary_value(out, "duplicates (already there)") == "13"
    assert summary_value(out, "organisations created") == "0"
    assert len(err.splitlines()) == 5


def test_it_keeps_time_order_when_a_thread_spans_batches(db: None) -> None:
    run_import(FIXTURE, "--batch-size", "1")
    ticket = Ticket.objects.get(conversation__external_id="twcs-101")
    assert (ticket.first_response_at, ticket.status) == (at(10, 15), Status.PENDING)
    assert Message.objects.count() == 13


def test_it_prints_one_line_when_quiet(db: None) -> None:
    out, _ = run_import(FIXTURE, "--quiet")
    assert out.strip().startswith("18 rows: 13 stored, 0 duplicates, 5 skipped in ")


def test_it_refuses_a_csv_that_is_not_twcs(db: None, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("id,name\n1,Kari\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not a twcs file") as excinfo:
        run_import(path)
    assert excinfo.value.returncode == 2


def test_it_refuses_organisation_options_for_twcs(db: None) -> None:
    with pytest.raises(CommandError, match="jsonl only") as excinfo:
        run_import(FIXTURE, "--org", "fjord")
    assert excinfo.value.returncode == 2


def test_it_skips_reply_cycles_and_repeated_tweet_ids(db: None, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,9001,True,Tue Oct 31 10:00:00 +0000 2017,@AcmeSupport hello,2,\n"
        "2,AcmeSupport,False,Tue Oct 31 10:05:00 +0000 2017,@9001 hi,,1\n"
        "2,AcmeSupport,False,Tue Oct 31 10:06:00 +0000 2017,@9001 hi again,,1\n"
        "7,9002,True,Tue Oct 31 11:00:00 +0000 2017,@AcmeSupport loop,8,8\n"
        "8,AcmeSupport,False,Tue Oct 31 11:05:00 +0000 2017,@9002 loop,7,7\n",
        encoding="utf-8",
    )
    out, err = run_import(path)
    assert err.splitlines() == ["line 4: duplicate tweet_id (first on line 3)", "line 5: reply cycle",
                                "line 6: reply cycle"]
    assert Message.objects.get(external_id="2").text == "@9001 hi"
    assert summary_value(out, "messages stored") == "2"


def test_it_reads_twitter_dates_as_utc() -> None:
    assert parse_created_at("Tue Oct 31 22:10:47 +0000 2017") == "2017-10-31T22:10:47+00:00"
    assert parse_created_at("Wed Nov 01 01:10:47 +0200 2017") == "2017-10-31T23:10:47+00:00"
    assert parse_created_at("2017-10-31T22:10:47-01:00") == "2017-10-31T23:10:47+00:00"
    for bad in ("yesterday at noon", "Tue Foo 31 22:10:47 +0000 2017", "Tue Oct 32 22:10:47 +0000 2017",
                "2017-10-31T22:10:47"):
        with pytest.raises((ValueError, KeyError)):
            parse_created_at(bad)


def test_it_makes_slugs_from_company_handles() -> None:
    assert org_slug("AppleSupport") == "applesupport"
    assert org_slug("Ask_Spectrum") == "ask-spectrum"
    assert org_slug("_Virgin_") == "virgin"


def test_it_imports_from_the_command_line_into_a_fresh_database(tmp_path: Path) -> None:
    """A newcomer's first command: no database yet, so the import migrates it; exit codes 0 and 2."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "WEBCARE_SQLITE_PATH")}
    env["WEBCARE_DATA_DIR"] = str(tmp_path / "data")
    webcare = Path(sys.executable).with_name("webcare")
    command = [str(webcare)] if webcare.exists() else [sys.executable, "-m", "webcare"]
    done = subprocess.run([*command, "import", str(FIXTURE), "--format", "twcs"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "messages stored" in done.stdout
    assert "line 15: bad date" in done.stderr
    with sqlite3.connect(tmp_path / "data" / "webcare.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM conversations_message").fetchone() == (13,)
    missing = subprocess.run([*command, "import", str(tmp_path / "nope.csv"), "--format", "twcs"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def _threads(path: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Rows by id and each tweet's root, by a small union-find over the reply links (independent of the importer)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["tweet_id"]: row for row in csv.DictReader(handle)}
    parent = {tweet: tweet for tweet in rows}

    def find(tweet: str) -> str:
        while parent[tweet] != tweet:
            parent[tweet] = parent[parent[tweet]]
            tweet = parent[tweet]
        return tweet

    for tweet, row in rows.items():
        replied_to = row["in_response_to_tweet_id"]
        if replied_to in rows:
            parent[find(tweet)] = find(replied_to)
    return rows, {tweet: find(tweet) for tweet in rows}


@pytest.mark.slow
def test_it_imports_the_real_sample_with_one_conversation_per_thread(db: None) -> None:
    if not SAMPLE.exists():
        pytest.skip(f"real twcs sample not found at {SAMPLE} (../shared/data is not checked out next to the repo)")
    rows, root_of = _threads(SAMPLE)
    companies = {row["author_id"] for row in rows.values() if row["inbound"].lower() == "false"}
    first_company: dict[str, tuple[str, str]] = {}
    for tweet, row in rows.items():
        if row["inbound"].lower() == "false":
            moment = parse_created_at(row["created_at"])
            current = first_company.get(root_of[tweet])
            if current is None or moment < current[0]:
                first_company[root_of[tweet]] = (moment, row["author_id"])
    roots = set(root_of.values())
    assert all(root in first_company for root in roots), "the sample has a thread without a company reply"

    out, _ = run_import(SAMPLE, "--quiet")

    assert Conversation.objects.count() == len(roots)
    assert set(Conversation.objects.values_list("external_id", flat=True)) == {f"twcs-{root}" for root in roots}
    assert Organisation.objects.count() == len({company for _, company in first_company.values()})
    stored = dict(Message.objects.values_list("external_id", "direction"))
    assert len(stored) == len(rows)
    for tweet, row in rows.items():
        if row["author_id"] in companies and row["inbound"].lower() == "false":
            owner = first_company[root_of[tweet]][1]
            # Every company reply is outbound in its own company's thread (a second company answering in another
            # company's thread is a participant there, see the test above).
            assert stored[tweet] == ("outbound" if row["author_id"] == owner else "inbound"), tweet
        else:
            assert stored[tweet] == "inbound", tweet
    assert out.startswith(f"{len(rows):,} rows: {len(rows):,} stored")
