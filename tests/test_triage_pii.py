"""Personal data in messages: spans, kinds, confidence and redaction (webcare.triage.pii).

Pure functions: no database. Every identifier used here is first checked with python-stdnum / phonenumbers, so a
test cannot pass on a number that is not really valid.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import phonenumbers
import pytest
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.de import idnr
from stdnum.dk import cpr
from stdnum.fi import hetu
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

from webcare.triage import pii_checks
from webcare.triage.pii import THRESHOLD, PiiSpan, find_pii, redact

FNR = "26111593816"
FNR_2 = "29075522833"
D_NUMBER = "53051855856"
CPR = "101116-4856"
PNR = "660326-6245"
PNR_12 = "19820307-0787"
SAMORDNING = "961186-5081"
HETU = "131052-308T"
HETU_2000 = "110520D765Y"
BSN = "111222333"
STEUER_ID = "61923085678"


def found(text: str, language: str = "") -> list[tuple[str, str]]:
    """(type, text) of each span."""
    return [(s.type, text[s.start:s.end]) for s in find_pii(text, language)]


def test_it_uses_only_valid_identifiers_in_these_tests() -> None:
    assert fodselsnummer.is_valid(FNR) and fodselsnummer.is_valid(FNR_2) and fodselsnummer.is_valid(D_NUMBER)
    assert cpr.is_valid(CPR) and personnummer.is_valid(PNR) and personnummer.is_valid(PNR_12)
    assert hetu.is_valid(HETU) and hetu.is_valid(HETU_2000) and bsn.is_valid(BSN) and idnr.is_valid(STEUER_ID)
    assert luhn.is_valid("9611865081")  # samordningsnummer: Luhn over the digits, day 86 = 26 + 60


# --- national identity numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "text", "value"), [
    ("nb", f"Hei, her er fnr: {FNR}. Hvorfor er strømmen stengt?", FNR),
    ("nb", f"Legg inn {FNR_2[:6]} {FNR_2[6:]} i stedet for det gamle", f"{FNR_2[:6]} {FNR_2[6:]}"),
    ("nn", f"Eg skreiv {FNR_2} i skjemaet, men de har feil namn", FNR_2),
    ("en", f"Number {FNR} belongs to my late father", FNR),
])
def test_it_finds_a_norwegian_fodselsnummer_even_without_a_context_word(language: str, text: str,
                                                                        value: str) -> None:
    spans = find_pii(text, language)
    assert [(s.type, text[s.start:s.end], s.kind) for s in spans] == [("NATIONAL_ID", value, "no.fodselsnummer")]


def test_it_finds_a_d_number_and_names_it() -> None:
    spans = find_pii(f"Har bare d-nummer, {D_NUMBER}, kan jeg likevel bli kunde?", "nb")
    assert [(s.type, s.kind) for s in spans] == [("NATIONAL_ID", "no.d-nummer")]


def test_it_finds_a_danish_cpr_with_its_dash_but_a_bare_one_only_with_context() -> None:
    bare = CPR.replace("-", "")
    assert found(f"Jeg har opgivet {CPR} to gange nu", "da") == [("NATIONAL_ID", CPR)]
    assert found(f"Mit CPR er {bare}, ret venligst adressen", "da") == [("NATIONAL_ID", bare)]
    assert found(f"Jeg har opgivet {bare} to gange nu", "da") == []  # could be any 10-digit number


def test_it_finds_swedish_personnummer_in_the_shapes_people_write() -> None:
    assert found(f"Ni har registrerat {PNR} på fel adress", "sv") == [("NATIONAL_ID", PNR)]
    assert found(f"Ni har registrerat {PNR_12} på fel adress", "sv") == [("NATIONAL_ID", PNR_12)]
    assert found(f"Ni har registrerat {PNR_12.replace('-', '')} på fel adress", "sv") == [
        ("NATIONAL_ID", PNR_12.replace("-", ""))]
    spans = find_pii(f"Mitt samordningsnr är {SAMORDNING}", "sv")
    assert [(s.kind, s.start) for s in spans] == [("se.samordningsnummer", 22)]


def test_it_flags_a_bare_ten_digit_personnummer_in_swedish_text_or_with_context_only() -> None:
    bare = PNR.replace("-", "")
    assert found(f"Kolla {bare} igen tack", "sv") == [("NATIONAL_ID", bare)]
    assert found(f"Check {bare} again please", "en") == []
    assert found(f"My Swedish personnummer: {bare}", "en") == [("NATIONAL_ID", bare)]


@pytest.mark.parametrize("value", [HETU, HETU_2000, HETU.lower()])
def test_it_finds_a_finnish_hetu_by_its_check_character(value: str) -> None:
    text = f"Tässä {value}, korjatkaa osoite"
    assert found(text, "fi") == [("NATIONAL_ID", value)]
    assert found(text.replace(value, value[:-1] + ("A" if value[-1] != "A" else "B")), "fi") == []


def test_it_needs_a_context_word_for_a_dutch_bsn() -> None:
    assert found(f"Mijn burgerservicenummer: {BSN}", "nl") == [("NATIONAL_ID", BSN)]
    assert found(f"BSN {BSN[:4]}.{BSN[4:6]}.{BSN[6:]} graag aanpassen", "nl") == [
        ("NATIONAL_ID", f"{BSN[:4]}.{BSN[4:6]}.{BSN[6:]}")]
    assert found(f"Pakket {BSN} is nog niet bezorgd", "nl") == []
    assert found(f"Ik heb {BSN} al drie keer doorgegeven", "nl") == []  # 8.4 % of 9-digit numbers pass the 11-check


def test_it_finds_a_german_steuer_id_only_with_context() -> None:
    assert found(f"Steuer-ID {STEUER_ID}, bitte ändern", "de") == [("NATIONAL_ID", STEUER_ID)]
    assert found(f"Vorgang {STEUER_ID} ist offen", "de") == []


# --- phones ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "text", "value", "kind"), [
    ("nb", "Nummeret er 412 34 567, ta kontakt", "412 34 567", "phone.no"),
    ("nn", "Ring opp att på 41 23 45 67", "41 23 45 67", "phone.no"),
    ("da", "I kan sms'e mig på 20 12 34 56", "20 12 34 56", "phone.dk"),
    ("sv", "Hör av er på 070-123 45 67!", "070-123 45 67", "phone.se"),
    ("fi", "Soittakaa iltaisin 040 123 4567", "040 123 4567", "phone.fi"),
    ("nl", "Graag terugbellen: 06 12345678", "06 12345678", "phone.nl"),
    ("de", "Bin mobil erreichbar: 0151 23456789", "0151 23456789", "phone.de"),
    ("en", "Try my wife's number +46 8 12 34 56", "+46 8 12 34 56", "e164"),
    ("nb", "tlf:004741234567", "004741234567", "e164"),
    ("de", "Rückruf bitte an +49 (0)30 123456", "+49 (0)30 123456", "e164"),
])
def test_it_finds_phone_numbers_in_national_and_international_formats(language: str, text: str, value: str,
                                                                       kind: str) -> None:
    spans = find_pii(text, language)
    assert [(s.type, text[s.start:s.end], s.kind) for s in spans] == [("PHONE", value, kind)]


def test_it_confirms_every_phone_with_phonenumbers() -> None:
    for region in ("NO", "DK", "SE", "FI", "NL", "DE"):
        for number_type in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, number_type)
            national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            digits = "".join(c for c in national if c.isdigit())
            assert pii_checks.phone_national_ok(region, digits, national), (region, national)
            broken = digits[:-1] if region in ("SE", "FI", "DE") else digits[:-2]
            assert not pii_checks.phone_national_ok(region, broken, broken) or phonenumbers.is_valid_number(
                phonenumbers.parse(broken, region))


# --- cards, IBAN, e-mail -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005",
                                   "3782 822463 10005", "4012888888881881"])
def test_it_finds_luhn_valid_cards_written_with_spaces_or_dashes(value: str) -> None:
    text = f"Betalte med {value} i går"
    assert found(text, "nb") == [("CARD", value)]
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)
    assert found(f"Betalte med {wrong} i går", "nb") == []


@pytest.mark.parametrize("value", ["NO93 8601 1117 947", "NO9386011117947", "DE89 3704 0044 0532 0130 00",
                                   "NL91ABNA0417164300", "SE45 5000 0000 0583 9825 7466", "FI21 1234 5600 0007 85",
                                   "DK50 0040 0440 1162 43"])
def test_it_finds_ibans_with_and_without_spaces(value: str) -> None:
    assert std_iban.is_valid(value)
    assert found(f"Overfør tilbake til {value} takk", "nb") == [("IBAN", value)]
    broken = value[:2] + ("00" if value[2:4] != "00" else "01") + value[4:]
    assert found(f"Overfør tilbake til {broken} takk", "nb") == []


def test_it_finds_email_addresses_but_not_mentions() -> None:
    text = "@Telenor_Norge svar meg på Ola.Nordmann+kundeservice@firma.co.uk, ikke på @ola_n"
    assert found(text, "nb") == [("EMAIL", "Ola.Nordmann+kundeservice@firma.co.uk")]
    assert found("post@bedrift. er feil skrevet", "nb") == []


# --- what must not be flagged ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "text"), [
    ("nb", "Ordre 123456789 fra 15.03.2024 kl 14:30 kostet 1 299,00 kr og er fortsatt ikke sendt"),
    ("nb", "kundenummer 41234567, sporing 00370730253394869531, fly DY 1302, 0150 Oslo"),
    ("nn", "Ordren 49123456 vart send 2024-03-15 og kosta 12.500 NOK"),
    ("da", "Ordrenummer 45123456 blev sendt 15/03/24 og kostede 499 DKK, version 10.2.3"),
    ("sv", "Ordernummer 8712202384 skickades 2024-03-15T14:30:00Z, kolli JJD000390007855043"),
    ("fi", "Tilausnumero 0401234567 lähetettiin 15.3.2024 klo 14.30, hinta 49,95 €"),
    ("nl", "Bestelnummer 111222333 verzonden op 15-03-2024 om 14:30, zending 3SABCD1234567"),
    ("de", "Bestellnummer 4711-2023, Sendungsnummer 4111111111111111, Preis €49.95, 10115 Berlin"),
    ("en", "order #A12345678 shipped 1710513000 with UPS 1Z999AA10123456784, flight SK 1234, app v2.14.1"),
    ("en", "Paid $1,299.00 on 03/15/2024; IMEI 490154203237518; tracking 4111 1111 1111 1111"),
])
def test_it_does_not_flag_order_numbers_dates_times_prices_or_tracking_numbers(language: str, text: str) -> None:
    assert found(text, language) == []


def test_it_lowers_a_luhn_valid_tracking_number_with_a_tracking_word() -> None:
    number = "4111111111111111"
    assert found(f"Sporingsnummer {number}, hvor er pakken?", "nb") == []
    assert found(f"Kortet {number} er belastet", "nb") == [("CARD", number)]


def test_it_keeps_codes_and_mentions_whole() -> None:
    assert found("Case PP-006-234-348-863 @41234567 #41234567 https://x.no/o/41234567", "en") == []


# --- overlaps, ordering, redaction -----------------------------------------------------------------------------------

def test_it_prefers_the_national_id_when_a_fodselsnummer_is_also_a_valid_phone_number() -> None:
    value = "04106247035"
    assert fodselsnummer.is_valid(value) and pii_checks.phone_national_ok("FI", value, value)
    spans = find_pii(f"nr {value}", "")
    assert [(s.type, s.kind) for s in spans] == [("NATIONAL_ID", "no.fodselsnummer")]


def test_it_prefers_the_iban_when_it_contains_a_card_number() -> None:
    bban = "4111111111111111" + "00"
    value = f"DE{std_iban.calc_check_digits('DE00' + bban)}{bban}"
    grouped = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    assert std_iban.is_valid(value) and "4111 1111 1111 1111" in grouped
    assert found(f"Bitte auf {grouped} überweisen", "de") == [("IBAN", grouped)]


def test_it_returns_sorted_non_overlapping_spans_with_confidence() -> None:
    text = f"fnr {FNR}, mail ola@x.no, tlf 412 34 567, konto NO93 8601 1117 947, kort 4111 1111 1111 1111"
    spans = find_pii(text, "nb")
    assert [s.type for s in spans] == ["NATIONAL_ID", "EMAIL", "PHONE", "IBAN", "CARD"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert all(THRESHOLD <= s.confidence <= 1 for s in spans)


def test_it_redacts_each_span_with_its_typed_placeholder() -> None:
    text = f"Jeg er {FNR}, ring 412 34 567 eller skriv ola@x.no. Kort 4111 1111 1111 1111, IBAN NO9386011117947."
    redacted = redact(text, find_pii(text, "nb"))
    assert redacted == ("Jeg er [NATIONAL_ID], ring [PHONE] eller skriv [EMAIL]. Kort [CARD], IBAN [IBAN].")
    assert redact(text, []) == text


def test_it_redacts_spans_in_any_order_and_merges_overlaps() -> None:
    spans = [PiiSpan("PHONE", 10, 15, "phone.no", 0.9), PiiSpan("EMAIL", 0, 5, "email", 0.9),
             PiiSpan("CARD", 12, 18, "card.visa", 0.9)]
    assert redact("aaaaa-----bbbbbccc--", spans) == "[EMAIL]-----[PHONE]--"


# --- robustness ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "😡🙏🏻🔥" * 50, "@" * 100_000, "1-2-" * 25_000,
                                  "ring 91234567 " * 7_000, "NO93 " * 20_000])
def test_it_survives_bad_input_and_stays_fast(text: str) -> None:
    start = time.perf_counter()
    spans = find_pii(text, "nb")
    redact(text, spans)
    assert time.perf_counter() - start < 5
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


def test_it_is_fast_on_ordinary_messages() -> None:
    messages = ["Hei! Appen henger seg opp når jeg prøver å betale 😤", "Når kommer pakken min?",
                "Takk for god hjelp i dag!", "Ordre 123456 er ikke kommet, bestilt 12.03.2024",
                "@Telia_Sverige varför funkar inte 5G?", "Mijn factuur van 49,95 klopt niet"] * 500
    start = time.perf_counter()
    for message in messages:
        find_pii(message, "nb")
    per_message = (time.perf_counter() - start) / len(messages) * 1e6
    assert per_message < 100  # measured ~5 µs; generous for slow CI machines


def test_it_finds_the_identifiers_of_the_hand_written_messages() -> None:
    path = Path(__file__).resolve().parent.parent / "webcare" / "triage" / "labelled" / "pii_messages.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    languages = {row["language"] for row in rows}
    assert languages == {"nb", "nn", "da", "sv", "fi", "nl", "de", "en"}
    gold = {(i, s["type"], s["start"], s["end"]) for i, row in enumerate(rows) for s in row["spans"]}
    predicted = {(i, s.type, s.start, s.end) for i, row in enumerate(rows) for s in find_pii(row["text"],
                                                                                           row["language"])}
    assert len(gold & predicted) / len(gold) >= 0.95
    assert len(predicted - gold) <= 1
