"""Finding a data subject by any identifier: the pure normalisation, and the search across every channel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ApiClient, Personas
from tests.gdpr_support import EMAIL, HANDLE, NAME, NUMBER, build_kari
from webcare.gdpr.find import Ambiguous, NoMatch, choose, find
from webcare.gdpr.identifiers import (
    EMAIL as KIND_EMAIL,
)
from webcare.gdpr.identifiers import (
    PHONE,
    TEXT,
    IdentifierError,
    normalise_email,
    normalise_handle,
    normalise_phone,
    parse_identifier,
    phone_forms,
    phone_pattern,
    region_for,
)

# --- normalisation (pure) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["+47 912 34 567", "0047 91234567", "91234567", "912 34 567", "+4791234567",
                                     "(+47) 912-34-567", "004791234567"])
def test_it_normalises_a_norwegian_number_however_it_is_written(written: str) -> None:
    assert normalise_phone(written, "NO") == "+4791234567"


def test_it_needs_a_country_for_a_number_without_one() -> None:
    assert normalise_phone("91234567", None) is None
    assert normalise_phone("+46 70 123 45 67", None) == "+46701234567"
    assert normalise_phone("0046701234567", None) == "+46701234567"
    assert normalise_phone("70 123 45 67", "SE") == "+46701234567"


@pytest.mark.parametrize("text", ["12345", "not a number", "+47 123", "91234567a", "2026-11-20"])
def test_it_refuses_what_is_not_a_valid_number(text: str) -> None:
    assert normalise_phone(text, "NO") is None


def test_it_normalises_addresses_and_handles() -> None:
    assert normalise_email("  Kari.Nordmann@Example.NO ") == "kari.nordmann@example.no"
    assert normalise_email("<kari@example.no>") == "kari@example.no"
    assert normalise_email("mailto:kari@example.no") == "kari@example.no"
    assert normalise_email("kari@localhost") is None
    assert normalise_email("@kari") is None
    assert normalise_handle("@Kari_N") == normalise_handle("kari_n") == "kari_n"


def test_it_tells_what_an_identifier_is() -> None:
    email = parse_identifier("Kari.Nordmann@Example.no", "NO")
    assert (email.kind, email.value) == (KIND_EMAIL, "kari.nordmann@example.no")
    phone = parse_identifier("0047 912 34 567", "NO")
    assert (phone.kind, phone.value) == (PHONE, "+4791234567")
    assert {"+4791234567", "4791234567", "004791234567", "91234567"} <= set(phone.phone_forms)
    handle = parse_identifier("@Kari_Nordmann", "NO")
    assert (handle.kind, handle.text) == (TEXT, "kari_nordmann")
    assert handle.searches_names
    assert not parse_identifier("ab", "NO").searches_names  # too short to look inside names with


@pytest.mark.parametrize(("raw", "message"), [("", "empty"), ("   ", "empty"), ("x" * 300, "longer than 255")])
def test_it_names_what_is_wrong_with_an_identifier(raw: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        parse_identifier(raw, "NO")


def test_it_finds_a_number_however_it_is_grouped_in_text() -> None:
    pattern = phone_pattern("+4791234567")
    for text in ("ring 912 34 567", "+47 912 34 567", "0047-91234567", "(+47) 91 23 45 67", "wa 4791234567"):
        assert pattern.sub("X", text).count("X") == 1, text
    for text in ("1912345678", "91234567890", "kontonr 12 491234567"):
        assert pattern.search(text) is None, text


def test_it_lists_the_written_forms_of_a_number() -> None:
    forms = phone_forms("+4791234567")
    assert forms[0] == "+4791234567"
    assert {"4791234567", "004791234567", "91234567"} <= set(forms)


def test_it_takes_the_region_from_the_holiday_country_then_the_languages() -> None:
    assert region_for("se", ["nb"]) == "SE"
    assert region_for("", ["en", "da"]) == "DK"
    assert region_for("", ["en"]) is None


# --- finding in the database -----------------------------------------------------------------------------------


@pytest.fixture
def kari(personas: Personas, api: ApiClient, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_kari(personas, api, Path(settings.MEDIA_ROOT))


@pytest.mark.parametrize("identifier", [EMAIL, EMAIL.upper(), "@" + HANDLE, HANDLE, HANDLE.upper(), "kari-api-7",
                                        NUMBER, NAME, "kari nordmann", "Nordmann"])
def test_it_finds_kari_by_any_identifier_on_any_channel(personas: Personas, kari: Any, identifier: str) -> None:
    result = find(personas.org, identifier)
    match = choose(result)
    assert match.customer.pk == kari.customer.pk
    assert match.customer_ids == [kari.customer.pk, *kari.merged_away]


def test_it_says_what_matched(personas: Personas, kari: Any) -> None:
    by_email = choose(find(personas.org, EMAIL))
    assert {(r.field, r.platform) for r in by_email.reasons} >= {
        ("identity.external_id", "email"), ("identity.handle", "email"), ("webchat.email", "webchat")}
    by_name = choose(find(personas.org, "nordmann"))
    assert {r.field for r in by_name.reasons} >= {"identity.display_name", "customer.name", "webchat.name"}
    by_number = choose(find(personas.org, NUMBER))
    assert [r.field for r in by_number.reasons] == ["customer.number"]


def test_it_finds_a_number_in_messages_and_says_who_wrote_them(personas: Personas, kari: Any) -> None:
    """The number is in no identity: only in Kari's own message and in Ola's — two people, so the caller chooses."""
    for written in ("+47 912 34 567", "0047 91234567", "91234567"):
        result = find(personas.org, written)
        assert result.messages_scanned == 2  # only messages with a phone number were decrypted
        assert len(result.matches) == 2
        with pytest.raises(Ambiguous):
            choose(result)
        mine = choose(result, kari.customer.pk)
        assert [(r.field, r.count) for r in mine.reasons] == [("message.pii", 1)]
        assert choose(result, kari.merged_away[0]).customer.pk == kari.customer.pk  # a merged-away id works too


def test_it_follows_a_merged_away_row_to_the_surviving_customer(personas: Personas, kari: Any) -> None:
    result = find(personas.org, "kundeservice@fjordnett.test")
    assert result.matches == []
    email_customer = kari.merged_away[0]
    match = choose(find(personas.org, EMAIL))
    assert email_customer in match.customer_ids and match.customer.merged_into_id is None


def test_it_finds_nobody_in_another_organisation(personas: Personas, kari: Any) -> None:
    assert find(personas.other_org, EMAIL).matches == []
    with pytest.raises(NoMatch):
        choose(find(personas.other_org, NAME))
    with pytest.raises(NoMatch):
        choose(find(personas.org, EMAIL), customer_id=999_999)


def test_it_does_not_search_names_with_a_fragment_too_short(personas: Personas, kari: Any) -> None:
    assert find(personas.org, "ka").matches == []
