"""Two-step sign-in (TOTP): enrolment, the two-step sign-in, replays, recovery codes, turning it off, the admins'
requirement, and one real browser enrolling and signing in with codes computed by pyotp.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.contrib.auth import SESSION_KEY, user_logged_in, user_login_failed
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.browser import screenshot
from tests.conftest import Personas, client_for
from webcare.audit import actions
from webcare.audit.models import AuditEntry
from webcare.crypto import DecryptionError, decrypt_json
from webcare.security import session, totp, two_factor
from webcare.security.models import RecoveryCode, TwoFactorDevice

PASSWORD = "correct horse battery"
T0 = datetime(2026, 11, 20, 10, 0, 5, tzinfo=UTC)  # 5 s into a 30-second step


@pytest.fixture
def signals() -> Iterator[dict[str, list[Any]]]:
    """The auth signals sent during a test (h2's audit records sign-ins from them)."""
    seen: dict[str, list[Any]] = {"logged_in": [], "failed": []}

    def logged_in(sender: Any, user: Any, **kwargs: Any) -> None:
        seen["logged_in"].append(user.username)

    def failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
        seen["failed"].append(credentials.get("username"))

    user_logged_in.connect(logged_in, dispatch_uid="test-two-factor-in")
    user_login_failed.connect(failed, dispatch_uid="test-two-factor-failed")
    yield seen
    user_logged_in.disconnect(dispatch_uid="test-two-factor-in")
    user_login_failed.disconnect(dispatch_uid="test-two-factor-failed")


def enrol(user: Any, at: datetime | None = None) -> tuple[str, list[str]]:
    """Turn two-step sign-in on the way the page does (by default with the code of five minutes ago, so that the
    test's own codes of now are unused); returns the secret and the recovery codes."""
    at = at or timezone.now() - timedelta(minutes=5)
    secret = two_factor.pending_secret(user)
    codes = two_factor.confirm(user, pyotp.TOTP(secret).at(at), now=at)
    return secret, codes


def code_at(secret: str, at: datetime, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at + timedelta(seconds=30 * steps))


def password_step(client: Client, username: str, password: str = PASSWORD, next_url: str = "/inbox/") -> Any:
    return client.post("/login/", {"username": username, "password": password, "next": next_url})


def signed_in_user(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# -- the pure parts ---------------------------------------------------------------------------------------------------


def test_it_accepts_a_code_of_this_step_or_one_step_either_side_only() -> None:
    secret = totp.new_secret()
    step = totp.current_step(T0)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, code_at(secret, T0, offset), T0) == step + offset
    for offset in (-3, -2, 2, 3):
        assert totp.matching_step(secret, code_at(secret, T0, offset), T0) is None
    assert totp.matching_step(secret, code_at(secret, T0), T0, after_step=step) is None  # used already
    assert totp.matching_step(secret, "12345", T0) is None and totp.matching_step(secret, "abcdef", T0) is None
    spaced = code_at(secret, T0)[:3] + " " + code_at(secret, T0)[3:]
    assert totp.matching_step(secret, spaced, T0) == step  # as apps show it: "123 456"


def test_it_makes_ten_distinct_readable_recovery_codes_and_hashes_them_with_a_key() -> None:
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)
    assert all(totp.looks_like_recovery_code(code) for code in codes)
    digest = totp.recovery_code_hash(codes[0])
    assert digest == totp.recovery_code_hash(codes[0].upper().replace("-", " "))  # typed differently, same code
    assert codes[0].replace("-", "") not in digest and len(digest) == 64


# -- enrolment --------------------------------------------------------------------------------------------------------


def test_it_shows_a_qr_code_and_the_secret_and_keeps_the_secret_encrypted(personas: Personas) -> None:
    client = client_for(personas.agent)
    html = client.get("/account/two-factor/").content.decode()
    assert '<svg role="img"' in html and "<title>QR code for your authenticator app</title>" in html
    shown = re.search(r'<output id="secret" class="secret">([A-Z2-7 ]+)</output>', html)
    assert shown is not None
    secret = shown.group(1).replace(" ", "")
    assert len(secret) == 32
    assert client.get("/account/two-factor/").content.decode().count(shown.group(1)) == 1  # the same on reload
    device = TwoFactorDevice.objects.get(user=personas.agent)
    assert device.confirmed_at is None
    assert secret not in device.secret_encrypted
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM security_twofactordevice")
        assert all(secret not in row[0] for row in cursor.fetchall())
    assert decrypt_json(device.secret_encrypted, two_factor.PURPOSE, f"two-factor:{personas.agent.pk}".encode()) \
        == {"secret": secret}
    with pytest.raises(DecryptionError):  # bound to its person: another user's row cannot carry it
        decrypt_json(device.secret_encrypted, two_factor.PURPOSE, f"two-factor:{personas.admin.pk}".encode())


def test_it_turns_on_only_with_a_right_code_and_shows_the_recovery_codes_once(personas: Personas) -> None:
    client = client_for(personas.agent)
    client.get("/account/two-factor/")
    secret = two_factor.secret_of(TwoFactorDevice.objects.get(user=personas.agent))

    wrong = client.post("/account/two-factor/confirm/", {"code": "000000"})
    assert wrong.status_code == 422
    assert "That code is not right" in wrong.content.decode()
    assert not two_factor.is_enabled(personas.agent)
    assert not AuditEntry.objects.filter(action=actions.TWO_FACTOR_ENABLED).exists()

    page = client.post("/account/two-factor/confirm/", {"code": pyotp.TOTP(secret).now()})
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", page.content.decode())
    assert len(codes) == 10
    assert two_factor.is_enabled(personas.agent)
    stored = list(RecoveryCode.objects.filter(device__user=personas.agent).values_list("code_hash", flat=True))
    assert sorted(stored) == sorted(totp.recovery_code_hash(code) for code in codes)
    assert not any(code in value or code.replace("-", "") in value for code in codes for value in stored)
    entry = AuditEntry.objects.get(action=actions.TWO_FACTOR_ENABLED)
    assert (entry.organisation_id, entry.actor_id, entry.target) == (personas.org.pk, personas.agent.pk,
                                                                     f"user:{personas.agent.pk}")
    status = client.get("/account/two-factor/").content.decode()
    assert "Two-step sign-in is on" in status and "10 recovery codes are left." in status
    assert not any(code in status for code in codes)  # shown once only


# -- signing in -------------------------------------------------------------------------------------------------------


def test_it_signs_in_in_two_steps_and_sends_the_signals_only_then(personas: Personas,
                                                                 signals: dict[str, list[Any]]) -> None:
    secret, _codes = enrol(personas.agent)
    assert password_step(Client(), "kari", "wrong password").status_code == 200
    assert signals["failed"] == ["kari"] and signals["logged_in"] == []  # a wrong password: Django's own signal
    client = Client()
    first = password_step(client, "kari", next_url="/inbox/?view=mine")
    assert first.status_code == 302 and first["Location"] == "/account/sign-in/code/"
    assert signed_in_user(client) is None and signals["logged_in"] == []
    assert client.get("/inbox/").status_code == 302  # nobody is signed in between the steps

    page = client.get("/account/sign-in/code/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    wrong = client.post("/account/sign-in/code/", {"code": "000000"})
    assert wrong.status_code == 422 and signed_in_user(client) is None
    assert signals["failed"] == ["kari", "kari"]  # a wrong code: the same signal

    done = client.post("/account/sign-in/code/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done["Location"] == "/inbox/?view=mine"
    assert signed_in_user(client) == str(personas.agent.pk)
    assert signals["logged_in"] == ["kari"]
    assert session.is_verified(client.session)
    assert client.get("/inbox/").status_code == 200


def test_it_refuses_a_code_used_once_already(personas: Personas, signals: dict[str, list[Any]]) -> None:
    secret, _codes = enrol(personas.agent)
    code = pyotp.TOTP(secret).now()
    first, second = Client(), Client()
    password_step(first, "kari")
    password_step(second, "kari")
    assert first.post("/account/sign-in/code/", {"code": code}).status_code == 302
    replay = second.post("/account/sign-in/code/", {"code": code})
    assert replay.status_code == 422 and signed_in_user(second) is None
    assert signals["failed"] == ["kari"]


def test_a_recovery_code_signs_in_once(personas: Personas) -> None:
    _secret, codes = enrol(personas.agent)
    client = Client()
    password_step(client, "kari")
    assert client.post("/account/sign-in/code/", {"code": codes[3].upper()}).status_code == 302
    assert signed_in_user(client) == str(personas.agent.pk)
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1

    again = Client()
    password_step(again, "kari")
    assert again.post("/account/sign-in/code/", {"code": codes[3]}).status_code == 422
    assert signed_in_user(again) is None


def test_the_code_step_waits_five_minutes_and_needs_the_password_first(personas: Personas) -> None:
    secret, _codes = enrol(personas.agent, T0 - timedelta(minutes=5))
    assert Client().get("/account/sign-in/code/")["Location"] == "/login/"  # no password given
    client = Client()
    with time_machine.travel(T0, tick=False):
        password_step(client, "kari")
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        late = client.post("/account/sign-in/code/", {"code": code_at(secret, T0 + timedelta(minutes=6))})
    assert late.status_code == 302 and late["Location"] == "/login/"
    assert signed_in_user(client) is None


def test_a_session_that_skipped_the_second_step_is_signed_out(personas: Personas) -> None:
    enrol(personas.agent)
    client = Client()
    client.force_login(personas.agent)  # e.g. a session from before enrolling, or another way in
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Finbox%2F"
    assert signed_in_user(client) is None


def test_django_admin_sign_in_leads_to_the_two_step_sign_in(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/core/channel/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Fcore%2Fchannel%2F"


# -- required for admins ----------------------------------------------------------------------------------------------


def test_an_admin_without_two_step_sign_in_is_sent_to_set_it_up_first(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.admin)
    for path in ("/inbox/", "/staff/", "/supervisor/", "/account/locks/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/two-factor/?next="), path
    htmx = client.get("/inbox/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/account/two-factor/")
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and "Your role needs two-step sign-in" in page.content.decode()
    assert client.get("/static/inbox/inbox.css").status_code == 200
    assert client.get("/health").status_code == 200
    assert client.post("/logout/").status_code == 302  # sign-out stays open


def test_superusers_must_enrol_too_and_agents_need_not(personas: Personas) -> None:
    personas.agent.is_superuser = True
    personas.agent.save()
    root = Client()
    root.force_login(personas.agent)
    assert root.get("/inbox/")["Location"].startswith("/account/two-factor/")
    kari = Client()
    kari.force_login(personas.supervisor)
    assert kari.get("/inbox/").status_code == 200
    assert not two_factor.required(personas.supervisor) and two_factor.required(personas.admin)


def test_an_admin_who_enrols_goes_on_to_the_page_they_wanted(personas: Personas) -> None:
    client = Client()
    assert password_step(client, "ada").status_code == 302  # no device yet: signed in, then sent to enrol
    assert client.get("/staff/")["Location"] == "/account/two-factor/?next=%2Fstaff%2F"
    client.get("/account/two-factor/?next=/staff/")
    secret = two_factor.secret_of(TwoFactorDevice.objects.get(user=personas.admin))
    page = client.post("/account/two-factor/confirm/", {"code": pyotp.TOTP(secret).now(), "next": "/staff/"})
    assert 'href="/staff/"' in page.content.decode()
    assert client.get("/staff/").status_code == 200


# -- turning it off ---------------------------------------------------------------------------------------------------


def test_turning_it_off_needs_a_current_code_and_is_audited(personas: Personas) -> None:
    secret, codes = enrol(personas.agent)
    client = Client()
    password_step(client, "kari")
    client.post("/account/sign-in/code/", {"code": pyotp.TOTP(secret).now()})
    other_device = Client()
    password_step(other_device, "kari")
    other_device.post("/account/sign-in/code/", {"code": codes[0]})
    assert other_device.get("/inbox/").status_code == 200

    refused = client.post("/account/two-factor/disable/", {"code": "123456"})
    assert refused.status_code == 422 and two_factor.is_enabled(personas.agent)
    assert not AuditEntry.objects.filter(action=actions.TWO_FACTOR_DISABLED).exists()

    done = client.post("/account/two-factor/disable/", {"code": code_at(secret, timezone.now(), 1)})
    assert done.status_code == 302 and not two_factor.is_enabled(personas.agent)
    assert not TwoFactorDevice.objects.exists() and not RecoveryCode.objects.exists()
    entry = AuditEntry.objects.get(action=actions.TWO_FACTOR_DISABLED)
    assert (entry.actor_id, entry.detail) == (personas.agent.pk, {"with": "totp"})
    assert client.get("/inbox/").status_code == 200
    assert other_device.get("/inbox/").status_code == 302  # signed out everywhere else


def test_new_recovery_codes_replace_the_old_ones(personas: Personas) -> None:
    secret, old = enrol(personas.agent)
    client = client_for(personas.agent)
    page = client.post("/account/two-factor/recovery-codes/", {"code": pyotp.TOTP(secret).now()})
    new = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.verify(personas.agent, old[0]) is None
    assert two_factor.verify(personas.agent, new[0]) == "recovery"


# -- the commands -----------------------------------------------------------------------------------------------------


def test_createadmin_says_that_two_step_sign_in_comes_at_the_first_sign_in(personas: Personas) -> None:
    out = io.StringIO()
    call_command("createadmin", "--username", "root", "--org", "fjord", stdout=out)
    assert "set up two-step sign-in" in out.getvalue()


def test_unlock_with_two_factor_turns_it_off_for_a_lost_phone(personas: Personas) -> None:
    enrol(personas.admin)
    out = io.StringIO()
    call_command("unlock", "ada", "--two-factor", stdout=out)
    assert "Two-step sign-in of ada is off" in out.getvalue()
    assert "must set it up again" in out.getvalue()
    assert not two_factor.is_enabled(personas.admin)
    entry = AuditEntry.objects.get(action=actions.TWO_FACTOR_DISABLED)
    assert (entry.actor_id, entry.actor_label, entry.target) == (None, "webcare unlock --two-factor",
                                                                 f"user:{personas.admin.pk}")


# -- in a real browser ------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_an_admin_enrols_in_the_browser_and_signs_in_with_a_code(browser: Any, live_server: Any,
                                                                  personas: Personas) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/two-factor/**")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    secret = page.locator("#secret").inner_text().replace(" ", "")
    screenshot(page, "two-factor-enrol")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")

    page.goto(f"{live_server.url}/inbox/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/sign-in/code/")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30)))  # the next step's
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    assert AuditEntry.objects.filter(action=actions.TWO_FACTOR_ENABLED, actor_id=personas.admin.pk).count() == 1
