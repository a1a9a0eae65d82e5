"""Tests of the Fjordnett demo scenario (``webcare.demo.scenario``).

Why: the demo is the first thing a newcomer sees and the data the loader imports, so its promises are checked here:
size and spread, languages, time, determinism, ids, signatures, ticket states that agree with their threads, the
Bergen outage, trolls, leads, personal data with checksum-valid identifiers, and customers on two channels. The tests
are pure Python (no Django, no database): ``pytest tests/test_demo_scenario.py -p no:django --noconftest`` runs
them without Django at all (``--noconftest`` because the shared conftest imports Django models). The checksum helpers
below are written independently of the generator's, so a wrong generator cannot pass by agreeing with itself.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from webcare.demo.scenario import Scenario, build_scenario

NOW = datetime(2026, 11, 20, 8, 15, tzinfo=UTC)  # a Friday morning
SPAN = timedelta(days=14)
KINDS = ("facebook", "instagram", "x", "whatsapp", "telegram", "email", "webchat", "reviews")
LANGUAGES = ("nb", "nn", "da", "sv", "fi", "nl", "en")
Thread = list[dict[str, Any]]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build_scenario(NOW)


def _threads(scenario: Scenario) -> dict[tuple[str, str], Thread]:
    threads: dict[tuple[str, str], Thread] = defaultdict(list)
    for message in scenario.messages:
        threads[(message["channel"], message["conversation_id"])].append(message)
    return threads


def _tickets(scenario: Scenario) -> dict[tuple[str, str], dict[str, Any]]:
    return {(t["channel"], t["conversation_id"]): t for t in scenario.tickets}


def _kind_of(scenario: Scenario) -> dict[str, str]:
    return {channel["slug"]: channel["kind"] for channel in scenario.channels}


def _at(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, value
    return moment


# --- independent checksum helpers -----------------------------------------------------------------------------------


def _valid_date(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _fodselsnummer_ok(number: str) -> bool:
    """Norwegian fødselsnummer or D-number: two mod-11 control digits."""
    if not re.fullmatch(r"\d{11}", number):
        return False
    digits = [int(ch) for ch in number]
    day = int(number[:2])
    if day > 40:
        day -= 40
    if not _valid_date(day, int(number[2:4])):
        return False
    for weights, position in (((3, 7, 6, 1, 8, 9, 4, 5, 2), 9), ((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), 10)):
        control = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
        control = 0 if control == 11 else control
        if control == 10 or control != digits[position]:
            return False
    return True


def _cpr_ok(number: str) -> bool:
    """Danish CPR with the modulus-11 test."""
    digits = number.replace("-", "")
    if not re.fullmatch(r"\d{10}", digits) or not _valid_date(int(digits[:2]), int(digits[2:4])):
        return False
    return sum(int(d) * w for d, w in zip(digits, (4, 3, 2, 7, 6, 5, 4, 3, 2, 1), strict=True)) % 11 == 0


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value // 10 + value % 10
    return total % 10 == 0


def _personnummer_ok(number: str) -> bool:
    """Swedish personnummer (YYYYMMDD-NNNC or YYMMDD-NNNC): Luhn over the last ten digits."""
    digits = re.sub(r"[-+]", "", number)
    if len(digits) == 12:
        digits = digits[2:]
    if not re.fullmatch(r"\d{10}", digits) or not _valid_date(int(digits[4:6]), int(digits[2:4])):
        return False
    return _luhn_ok(digits)


def _henkilotunnus_ok(number: str) -> bool:
    """Finnish henkilötunnus: control character = DDMMYYNNN mod 31 in the official alphabet."""
    match = re.fullmatch(r"(\d{6})[-+A-FU-Y](\d{3})([0-9A-Y])", number)
    if not match or not _valid_date(int(number[:2]), int(number[2:4])):
        return False
    return "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(match[1] + match[2]) % 31] == match[3]


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _norwegian_account_ok(value: str) -> bool:
    digits = value.replace(".", "").replace(" ", "")
    if not re.fullmatch(r"\d{11}", digits):
        return False
    control = 11 - sum(int(d) * w for d, w in zip(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=False)) % 11
    control = 0 if control == 11 else control
    return control != 10 and control == int(digits[10])


def _valid_identifiers(text: str) -> list[str]:
    """Every checksum-valid national id, IBAN or Norwegian account number found in ``text``."""
    found: list[str] = []
    found += [m for m in re.findall(r"(?<!\d)\d{11}(?!\d)", text) if _fodselsnummer_ok(m)]
    found += [m for m in re.findall(r"(?<!\d)\d{6}-\d{4}(?!\d)", text) if _cpr_ok(m)]
    found += [m for m in re.findall(r"(?<!\d)(?:\d{8}|\d{6})[-+]\d{4}(?!\d)", text) if _personnummer_ok(m)]
    found += [m for m in re.findall(r"(?<![\dA-Z])\d{6}[-+A]\d{3}[0-9A-Y](?![\dA-Z])", text) if _henkilotunnus_ok(m)]
    found += [m for m in re.findall(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b", text) if _iban_ok(m)]
    found += [m for m in re.findall(r"(?<!\d)\d{4}\.\d{2}\.\d{5}(?!\d)", text) if _norwegian_account_ok(m)]
    return found


def test_it_checks_identifiers_with_helpers_that_reject_wrong_numbers() -> None:
    assert _iban_ok("NL91 ABNA 0417 1643 00")  # the textbook example IBAN
    assert not _iban_ok("NL91 ABNA 0417 1643 01")
    assert _luhn_ok("8112189876")  # the textbook Swedish example
    assert not _personnummer_ok("19811218-9875")
    assert _henkilotunnus_ok("131052-308T")  # the textbook Finnish example
    assert not _henkilotunnus_ok("131052-308U")
    assert not _fodselsnummer_ok("12345678901")
    assert not _cpr_ok("010101-0000")


# --- size and spread -------------------------------------------------------------------------------------------------


def test_it_has_at_least_300_conversations(scenario: Scenario) -> None:
    assert len(_threads(scenario)) >= 300


def test_it_uses_all_eight_channel_kinds_and_six_have_twenty_conversations(scenario: Scenario) -> None:
    kind_of = _kind_of(scenario)
    assert sorted(kind_of.values()) == sorted(KINDS)
    per_kind = Counter(kind_of[channel] for channel, _ in _threads(scenario))
    assert set(per_kind) == set(KINDS)
    assert sum(1 for count in per_kind.values() if count >= 20) >= 6


def test_it_covers_every_language_with_bokmal_the_largest(scenario: Scenario) -> None:
    first_language = Counter(thread[0]["language"] for thread in _threads(scenario).values())
    assert set(first_language) == set(LANGUAGES)
    assert first_language.most_common(1)[0][0] == "nb"
    assert first_language["nn"] >= 10
    for language in LANGUAGES:
        assert first_language[language] >= 10, language


def test_it_answers_customers_in_their_own_language(scenario: Scenario) -> None:
    for thread in _threads(scenario).values():
        customer_language = thread[0]["language"]
        for message in thread:
            if message["direction"] == "outbound":
                assert message["language"] == customer_language, message["message_id"]


def test_it_mixes_questions_complaints_praise_leads_trolls_and_personal_data(scenario: Scenario) -> None:
    kinds = Counter(ticket["scenario"] for ticket in scenario.tickets)
    assert kinds["question"] >= 50
    assert kinds["complaint"] >= 30
    assert kinds["praise"] >= 10
    assert kinds["sales_lead"] >= 2
    assert kinds["troll"] >= 2
    assert kinds["pii_in_public"] >= 3
    assert kinds["outage"] >= 35


# --- time ------------------------------------------------------------------------------------------------------------


def test_it_keeps_every_message_and_note_within_the_14_days_before_now(scenario: Scenario) -> None:
    moments = [_at(message["sent_at"]) for message in scenario.messages]
    moments += [_at(note["at"]) for ticket in scenario.tickets for note in ticket["notes"]]
    assert min(moments) >= NOW - SPAN
    assert max(moments) <= NOW
    # Spread out: something on (almost) every one of the 14 days.
    days = {(NOW - moment).days for moment in moments}
    assert len(days) >= 13


def test_it_writes_more_by_day_than_by_night_but_also_at_night_and_weekends(scenario: Scenario) -> None:
    starts = [_at(thread[0]["sent_at"]) + timedelta(hours=1) for thread in _threads(scenario).values()]
    day = sum(1 for moment in starts if 8 <= moment.hour < 22)
    night = sum(1 for moment in starts if moment.hour < 6)
    weekend = sum(1 for moment in starts if moment.weekday() >= 5)
    assert day > 4 * night
    assert night >= 3
    assert weekend >= 20


def test_it_sorts_messages_by_time_and_threads_them_in_order(scenario: Scenario) -> None:
    moments = [_at(message["sent_at"]) for message in scenario.messages]
    assert moments == sorted(moments)
    for thread in _threads(scenario).values():
        ids = [message["message_id"] for message in thread]
        for index, message in enumerate(thread):
            if index == 0:
                assert "in_reply_to" not in message
            else:
                assert message["in_reply_to"] in ids[:index]
                assert _at(message["sent_at"]) > _at(thread[index - 1]["sent_at"])


def test_it_is_deterministic_for_the_same_now_and_seed(scenario: Scenario) -> None:
    again = build_scenario(NOW, seed=7)
    assert again == scenario
    # The same moment in another time zone is the same moment.
    assert build_scenario(NOW.astimezone(timezone(timedelta(hours=1)))) == scenario
    other = build_scenario(NOW, seed=8)
    assert other.messages != scenario.messages


@pytest.mark.parametrize("now", [
    datetime(2027, 1, 1, 0, 5, tzinfo=UTC),  # New Year, just after midnight
    datetime(2026, 3, 29, 14, 0, tzinfo=UTC),  # a Sunday, the day summer time starts
    datetime(2026, 7, 15, 21, 45, tzinfo=timezone(timedelta(hours=2))),
])
def test_it_builds_a_valid_demo_for_other_moments(now: datetime) -> None:
    built = build_scenario(now)
    moments = [_at(message["sent_at"]) for message in built.messages]
    assert len(_threads(built)) >= 300
    assert min(moments) >= now - SPAN
    assert max(moments) <= now
    assert not [m for m in built.messages if re.search(r"\{(first|full|agent|phone|email|month[^}]*)\}", m["text"])]


def test_it_rejects_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_scenario(datetime(2026, 11, 20, 8, 15))  # a naive datetime is the point of the test


# --- ids, format, authors --------------------------------------------------------------------------------------------


def test_it_gives_unique_message_ids_per_channel(scenario: Scenario) -> None:
    seen = Counter((message["channel"], message["message_id"]) for message in scenario.messages)
    assert seen.most_common(1)[0][1] == 1
    assert len(seen) == len(scenario.messages)


def test_it_follows_the_import_format(scenario: Scenario) -> None:
    required = {"channel", "message_id", "conversation_id", "conversation_kind", "direction", "public", "author",
                "text", "sent_at", "language"}
    optional = {"customer_key", "agent", "subject", "in_reply_to", "attachments"}
    slugs = {channel["slug"] for channel in scenario.channels}
    for message in scenario.messages:
        assert required <= set(message) <= required | optional, message["message_id"]
        assert message["channel"] in slugs
        assert message["conversation_kind"] in ("public", "private")
        assert message["direction"] in ("inbound", "outbound")
        assert message["public"] is (message["conversation_kind"] == "public")
        assert set(message["author"]) == {"id", "handle", "name"} and all(message["author"].values())
        assert message["text"].strip()
        assert message["sent_at"].endswith("+00:00")
        for attachment in message.get("attachments", []):
            assert set(attachment) == {"name", "content_type", "size"} and attachment["size"] > 0
        if message["direction"] == "inbound":
            assert message["customer_key"].startswith("cust-") and "agent" not in message
        else:
            assert "customer_key" not in message and message["agent"]
    assert sum(1 for message in scenario.messages if message.get("attachments")) >= 15


def test_it_fills_every_placeholder(scenario: Scenario) -> None:
    texts = [m["text"] + m.get("subject", "") for m in scenario.messages]
    texts += [note["text"] for ticket in scenario.tickets for note in ticket["notes"]]
    texts += [a["name"] for m in scenario.messages for a in m.get("attachments", [])]
    assert not [text for text in texts if re.search(r"\{[a-z]+[^}]*\}", text)]


def test_it_keeps_x_posts_within_280_characters_and_gives_emails_a_subject(scenario: Scenario) -> None:
    kind_of = _kind_of(scenario)
    for message in scenario.messages:
        if kind_of[message["channel"]] == "x":
            assert len(message["text"]) <= 280, message["text"]
        if kind_of[message["channel"]] == "email":
            assert message.get("subject"), message["message_id"]


def test_it_keeps_one_identity_per_person_and_channel(scenario: Scenario) -> None:
    identities: dict[tuple[str, str], set[str]] = defaultdict(set)
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for message in scenario.messages:
        if message["direction"] == "inbound":
            identities[(message["customer_key"], message["channel"])].add(message["author"]["id"])
            owners[(message["channel"], message["author"]["id"])].add(message["customer_key"])
    assert all(len(ids) == 1 for ids in identities.values())
    assert all(len(keys) == 1 for keys in owners.values())


def test_it_links_at_least_three_customers_across_two_channels(scenario: Scenario) -> None:
    channels: dict[str, set[str]] = defaultdict(set)
    for message in scenario.messages:
        if message["direction"] == "inbound":
            channels[message["customer_key"]].add(message["channel"])
    assert sum(1 for found in channels.values() if len(found) >= 2) >= 3


def test_it_uses_public_threads_only_where_the_platform_has_them(scenario: Scenario) -> None:
    kind_of = _kind_of(scenario)
    seen: dict[str, set[str]] = defaultdict(set)
    for (channel, _), thread in _threads(scenario).items():
        kinds = {message["conversation_kind"] for message in thread}
        assert len(kinds) == 1
        seen[kind_of[channel]] |= kinds
    for kind in ("whatsapp", "telegram", "email", "webchat"):
        assert seen[kind] == {"private"}, kind
    assert seen["reviews"] == {"public"}
    for kind in ("facebook", "instagram", "x"):
        assert seen[kind] == {"public", "private"}, kind


# --- agents and tickets ----------------------------------------------------------------------------------------------


def test_it_signs_every_outbound_message_with_its_agents_first_name(scenario: Scenario) -> None:
    agents = {agent["username"]: agent for agent in scenario.agents}
    outbound = [message for message in scenario.messages if message["direction"] == "outbound"]
    assert len(outbound) >= 300
    for message in outbound:
        agent = agents[message["agent"]]
        assert agent["role"] in ("agent", "supervisor")
        assert agent["first_name"] in message["text"], message["text"]
        assert message["language"] in agent["languages"]
    assert len({message["agent"] for message in outbound}) >= 10


def test_it_sets_up_teams_and_agents_that_fit_together(scenario: Scenario) -> None:
    teams = {team["slug"] for team in scenario.teams}
    assert {"customer-service", "sales-marketing"} <= teams
    assert all(team["signature"] == "first_name" for team in scenario.teams)
    usernames = [agent["username"] for agent in scenario.agents]
    assert len(usernames) == len(set(usernames))
    for agent in scenario.agents:
        assert set(agent["teams"]) <= teams
        assert agent["role"] in ("agent", "supervisor", "admin", "analyst")
        assert agent["email"].endswith("@fjordnett.example")
    covered = {language for agent in scenario.agents for language in agent["languages"]}
    assert set(LANGUAGES) <= covered
    assert scenario.organisation["slug"] == "fjordnett"
    assert sorted(scenario.organisation["languages"]) == sorted(LANGUAGES)


def test_it_has_exactly_one_ticket_per_conversation(scenario: Scenario) -> None:
    keys = [(t["channel"], t["conversation_id"]) for t in scenario.tickets]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(_threads(scenario))


def test_it_keeps_every_ticket_status_in_line_with_its_thread(scenario: Scenario) -> None:
    threads = _threads(scenario)
    usernames = {agent["username"] for agent in scenario.agents}
    team_slugs = {team["slug"] for team in scenario.teams}
    for key, ticket in _tickets(scenario).items():
        thread = threads[key]
        replies = [message for message in thread if message["direction"] == "outbound"]
        last = thread[-1]
        status = ticket["status"]
        assert ticket["priority"] in (1, 2, 3, 4)
        assert ticket["assignee"] is None or ticket["assignee"] in usernames
        assert ticket["team"] is None or ticket["team"] in team_slugs
        for note in ticket["notes"]:
            assert note["author"] in usernames and note["text"]
            assert _at(thread[0]["sent_at"]) <= _at(note["at"]) <= NOW
        if status == "new":
            assert not replies and ticket["assignee"] is None and not ticket["notes"]
            assert NOW - _at(thread[0]["sent_at"]) < timedelta(days=1)
        elif status == "open":
            assert last["direction"] == "inbound" and ticket["assignee"]
        elif status in ("pending", "on_hold"):
            assert last["direction"] == "outbound" and ticket["assignee"]
        else:
            assert status in ("solved", "closed")
            assert replies or ticket["scenario"] == "troll"
            if status == "closed":
                assert NOW - _at(last["sent_at"]) > timedelta(days=3, hours=20)
        for reply in replies:
            assert reply["agent"] == ticket["assignee"]
    statuses = Counter(ticket["status"] for ticket in scenario.tickets)
    assert statuses["new"] >= 5 and statuses["pending"] >= 10 and statuses["open"] >= 3
    assert statuses["solved"] >= 50 and statuses["closed"] >= 50 and statuses["on_hold"] >= 3


def test_it_asks_the_customer_something_when_waiting_on_them(scenario: Scenario) -> None:
    # A question, or a request to send something ("send us a DM", "skicka", "stuur", "lähetä" …).
    asks = re.compile(r"\?|\b(send|sende|skicka|stuur|lähetä|skriv)\b", re.IGNORECASE)
    threads = _threads(scenario)
    pending = [key for key, ticket in _tickets(scenario).items() if ticket["status"] == "pending"]
    assert pending
    for key in pending:
        assert asks.search(threads[key][-1]["text"]), threads[key][-1]["text"]


def test_it_has_back_and_forth_threads(scenario: Scenario) -> None:
    lengths = Counter(len(thread) for thread in _threads(scenario).values())
    assert sum(count for length, count in lengths.items() if length >= 4) >= 60
    assert lengths[2] >= 40


def test_it_never_knows_about_followers(scenario: Scenario) -> None:
    assert "follower" not in repr(scenario).lower()


# --- the stories -----------------------------------------------------------------------------------------------------


def test_it_has_an_outage_with_35_complaints_within_two_hours(scenario: Scenario) -> None:
    kind_of = _kind_of(scenario)
    threads = _threads(scenario)
    outage = {key for key, ticket in _tickets(scenario).items() if ticket["scenario"] == "outage"}
    assert all(_tickets(scenario)[key]["labels"] == ["outage-bergen"] for key in outage)
    # Each outage thread starts with one complaint; follow-ups ("ok takk") are not counted.
    complaints = sorted((threads[key][0] for key in outage), key=lambda message: message["sent_at"])
    assert all(message["direction"] == "inbound" for message in complaints)
    best: list[dict[str, Any]] = []
    for index, first in enumerate(complaints):
        window = [m for m in complaints[index:] if _at(m["sent_at"]) - _at(first["sent_at"]) <= timedelta(hours=2)]
        best = max(best, window, key=len)
    assert len(best) >= 35
    assert len({kind_of[message["channel"]] for message in best}) >= 4
    assert len({message["language"] for message in best}) >= 3
    assert len({message["text"] for message in best}) == len(best)  # worded differently every time
    started = NOW - _at(best[0]["sent_at"])
    assert timedelta(days=2, hours=6) <= started <= timedelta(days=3, hours=18)
    # No other ticket carries the outage label.
    assert all("outage-bergen" not in t["labels"] for t in scenario.tickets if t["scenario"] != "outage")


def test_it_marks_personal_data_in_public_with_checksum_valid_identifiers(scenario: Scenario) -> None:
    kind_of = _kind_of(scenario)
    threads = _threads(scenario)
    pii = [(key, t) for key, t in _tickets(scenario).items() if t["scenario"] == "pii_in_public"]
    assert len(pii) >= 3
    kinds_of_identifier: set[str] = set()
    for key, ticket in pii:
        thread = threads[key]
        assert ticket["priority"] == 1
        assert "personal-data" in ticket["labels"]
        assert kind_of[key[0]] in ("facebook", "instagram", "x")
        assert thread[0]["conversation_kind"] == "public" and thread[0]["public"] is True
        customer_text = " ".join(m["text"] for m in thread if m["direction"] == "inbound")
        found = _valid_identifiers(customer_text)
        assert found, customer_text
        kinds_of_identifier |= {"iban" if re.match(r"[A-Z]{2}\d", f) else str(len(re.sub(r"\D", "", f))) for f in found}
    assert len(kinds_of_identifier) >= 3  # not the same kind of number every time
    # None of the other tickets has a valid identifier in a public message.
    for key, ticket in _tickets(scenario).items():
        if ticket["scenario"] != "pii_in_public":
            public = " ".join(m["text"] for m in threads[key] if m["public"])
            assert not _valid_identifiers(public), public


def test_it_has_sales_leads_routed_to_sales(scenario: Scenario) -> None:
    agents = {agent["username"]: agent for agent in scenario.agents}
    leads = [ticket for ticket in scenario.tickets if ticket["scenario"] == "sales_lead"]
    assert len(leads) >= 2
    for ticket in leads:
        assert ticket["team"] == "sales-marketing"
        assert "sales-marketing" in agents[ticket["assignee"]]["teams"]
    assert len({ticket["channel"] for ticket in leads}) >= 3


def test_it_has_trolls_in_several_languages(scenario: Scenario) -> None:
    threads = _threads(scenario)
    trolls = [(key, t) for key, t in _tickets(scenario).items() if t["scenario"] == "troll"]
    assert len(trolls) >= 2
    assert len({threads[key][0]["language"] for key, _ in trolls}) >= 3
    assert all(ticket["priority"] == 4 for _, ticket in trolls)
    assert any(not [m for m in threads[key] if m["direction"] == "outbound"] for key, _ in trolls)
