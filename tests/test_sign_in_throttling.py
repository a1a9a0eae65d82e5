"""Sign-in throttling: failures per username and per client address lock both out for a while, with one message that
does not say whether the person exists; the lock covers the code step; admins and the command lift it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from tests.conftest import Personas, client_for
from webcare.audit import actions
from webcare.audit.models import AuditEntry
from webcare.security import locks, two_factor
from webcare.security.models import SignInThrottle
from webcare.security.throttle import Count, Policy, after_failure

PASSWORD = "correct horse battery"
LOCKED = "Too many failed sign-ins. Try again in 15 minutes."
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
POLICY = Policy(max_failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))


def attempt(username: str, password: str, address: str = "192.0.2.10", client: Client | None = None) -> Any:
    client = client or Client(REMOTE_ADDR=address)
    return client.post("/login/", {"username": username, "password": password, "next": "/inbox/"})


def fail(username: str, times: int, address: str = "192.0.2.10") -> Any:
    response = None
    for _ in range(times):
        response = attempt(username, "wrong password", address)
    return response


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == "/inbox/"


# -- the rule ---------------------------------------------------------------------------------------------------------


def test_the_fifth_failure_within_the_window_locks_and_later_ones_do_not_lengthen_it() -> None:
    count = None
    for n in range(1, 5):
        count, locked = after_failure(count, T0 + timedelta(minutes=n), POLICY)
        assert (count.failures, locked, count.locked(T0 + timedelta(minutes=n))) == (n, False, False)
    count, locked = after_failure(count, T0 + timedelta(minutes=5), POLICY)
    assert locked and count.locked_until == T0 + timedelta(minutes=20)
    again, locked_again = after_failure(count, T0 + timedelta(minutes=6), POLICY)
    assert not locked_again and again.locked_until == count.locked_until and again.failures == 6


def test_failures_spread_over_more_than_the_window_never_lock() -> None:
    count: Count | None = None
    for n in range(12):
        count, locked = after_failure(count, T0 + timedelta(minutes=4 * n), POLICY)
        assert not locked
    assert count is not None and count.failures < 5


def test_a_lock_that_has_ended_starts_the_count_again() -> None:
    locked = Count(5, T0, T0 + timedelta(minutes=15))
    count, now_locked = after_failure(locked, T0 + timedelta(minutes=16), POLICY)
    assert (count.failures, now_locked, count.locked_until) == (1, False, None)


# -- through the sign-in page -----------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(personas: Personas) -> None:
    for _ in range(4):
        assert "Wrong username or password." in attempt("kari", "wrong").content.decode()
    fifth = attempt("kari", "wrong")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    right = attempt("kari", PASSWORD, address="198.51.100.7")  # from elsewhere too: the username is locked
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert not signed_in(right)
    entry = AuditEntry.objects.get(action=actions.LOCKED_OUT)
    assert (entry.organisation_id, entry.actor_id, entry.target) == (personas.org.pk, personas.agent.pk,
                                                                     f"user:{personas.agent.pk}")
    assert entry.detail == {"scope": "username", "failures": 5, "minutes": 15}
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=16)):
        assert signed_in(attempt("kari", PASSWORD))


def test_an_unknown_username_is_locked_the_same_way_and_never_recorded(personas: Personas) -> None:
    known = fail("kari", 5)
    unknown = fail("hunter2-typed-here", 5, address="198.51.100.8")
    assert known.status_code == unknown.status_code == 429
    assert LOCKED in known.content.decode() and LOCKED in unknown.content.decode()
    entries = AuditEntry.objects.filter(action=actions.LOCKED_OUT)
    assert entries.count() == 2
    stranger = entries.get(actor_id=None)
    assert (stranger.actor_label, stranger.target, stranger.organisation_id) == ("unknown username", "username", None)
    assert not any("hunter2" in str(value) for row in entries.values() for value in row.values())


def test_the_table_names_no_username_or_address_readably(personas: Personas) -> None:
    fail("kari", 2, address="203.0.113.99")
    rows = list(SignInThrottle.objects.values())
    assert len(rows) == 2  # one for the username, one for the address
    assert not any("kari" in str(value) or "203.0.113.99" in str(value) for row in rows for value in row.values())


def test_many_failures_from_one_address_lock_the_address(personas: Personas, settings: Any) -> None:
    settings.WEBCARE_SIGNIN_MAX_FAILURES_PER_ADDRESS = 3
    fail("nobody-1", 1)
    fail("nobody-2", 1)
    assert fail("nobody-3", 1).status_code == 429
    assert attempt("kari", PASSWORD).status_code == 429  # right password, locked address
    assert signed_in(attempt("kari", PASSWORD, address="198.51.100.9"))  # the person is not locked
    entry = AuditEntry.objects.get(action=actions.LOCKED_OUT)
    assert (entry.target, entry.ip, entry.detail["scope"]) == ("address", "192.0.2.10", "address")


def test_a_complete_sign_in_forgets_the_usernames_failures(personas: Personas) -> None:
    fail("kari", 4)
    assert signed_in(attempt("kari", PASSWORD))
    assert fail("kari", 4).status_code == 200  # counted from zero again


def test_wrong_codes_count_and_the_lock_stops_the_code_step(personas: Personas) -> None:
    secret = two_factor.pending_secret(personas.agent)
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    two_factor.confirm(personas.agent, pyotp.TOTP(secret).at(earlier), now=earlier)
    client = Client(REMOTE_ADDR="192.0.2.10")
    assert attempt("kari", PASSWORD, client=client)["Location"] == "/account/sign-in/code/"
    for _ in range(4):
        assert client.post("/account/sign-in/code/", {"code": "000000"}).status_code == 422
    fifth = client.post("/account/sign-in/code/", {"code": "000000"})
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    assert client.get("/account/sign-in/code/")["Location"] == "/login/"  # the half-done sign-in is gone
    again = Client(REMOTE_ADDR="198.51.100.10")
    assert attempt("kari", PASSWORD, client=again).status_code == 429
    assert SESSION_KEY not in again.session


# -- lifting a lock ---------------------------------------------------------------------------------------------------


def test_the_unlock_command_lifts_the_lock(personas: Personas) -> None:
    fail("kari", 5)
    out = io.StringIO()
    call_command("unlock", "kari", stdout=out)
    assert "Unlocked: kari may sign in again." in out.getvalue()
    assert signed_in(attempt("kari", PASSWORD))
    out = io.StringIO()
    call_command("unlock", "kari", stdout=out)
    assert "kari was not locked" in out.getvalue()


def test_the_unlock_command_lifts_an_address_lock_too(personas: Personas, settings: Any) -> None:
    settings.WEBCARE_SIGNIN_MAX_FAILURES_PER_ADDRESS = 2
    fail("nobody", 2, address="192.0.2.50")
    assert attempt("kari", PASSWORD, address="192.0.2.50").status_code == 429
    call_command("unlock", "nobody", "--address", "192.0.2.50", stdout=io.StringIO())
    assert signed_in(attempt("kari", PASSWORD, address="192.0.2.50"))


def test_admins_see_and_lift_their_colleagues_locks(personas: Personas) -> None:
    fail("kari", 5)
    admin = client_for(personas.admin)
    page = admin.get("/account/locks/").content.decode()
    assert "Kari" in page and f"/account/locks/{personas.agent.pk}/unlock/" in page
    assert admin.post(f"/account/locks/{personas.agent.pk}/unlock/")["Location"] == "/account/locks/"
    assert "Nobody is locked out." in admin.get("/account/locks/").content.decode()
    entry = AuditEntry.objects.get(action=locks.UNLOCKED)
    assert (entry.actor_id, entry.target) == (personas.admin.pk, f"user:{personas.agent.pk}")
    assert signed_in(attempt("kari", PASSWORD))


def test_only_admins_of_the_same_organisation_may_lift_a_lock(personas: Personas) -> None:
    fail("kari", 5)
    url = f"/account/locks/{personas.agent.pk}/unlock/"
    assert client_for(personas.outsider).post(url).status_code == 404
    assert client_for(personas.supervisor).post(url).status_code == 403
    assert client_for(personas.supervisor).get("/account/locks/").status_code == 403
    assert client_for(personas.agent).get("/account/locks/").status_code == 403
    assert Client().get("/account/locks/")["Location"].startswith("/login/")
    assert "Kari" not in client_for(personas.outsider).get("/account/locks/").content.decode()
    assert attempt("kari", PASSWORD).status_code == 429  # still locked


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_username_counts_nothing(personas: Personas, empty: str) -> None:
    attempt(empty, "whatever")
    assert not SignInThrottle.objects.exists()
