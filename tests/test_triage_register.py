"""Register (formal/informal address): each language's polite and familiar forms, and the ambiguous cases."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from webcare.triage.quality.register import accuracy
from webcare.triage.register import detect_register

FORMAL = [
    ("nb", "Kan De sende meg en ny faktura?"),
    ("nn", "Eg har sendt Dykk fleire e-postar utan svar"),
    ("da", "Vil De venligst bekræfte min opsigelse?"),
    ("sv", "Kan ni bekräfta att min uppsägning är mottagen?"),
    ("fi", "Voisitteko vahvistaa irtisanomiseni?"),
    ("nl", "Kunt u mijn opzegging bevestigen?"),
    ("de", "Könnten Sie meine Kündigung bestätigen?"),
]
INFORMAL = [
    ("nb", "Kan du sende meg en ny faktura?"),
    ("nn", "Kan du sjekke kvifor rekninga er så høg?"),
    ("da", "Kan du bekræfte min opsigelse?"),
    ("sv", "Kan du bekräfta att du har fått min uppsägning?"),
    ("fi", "Voitko vahvistaa irtisanomiseni?"),
    ("nl", "Kun je mijn opzegging bevestigen?"),
    ("de", "Kannst du meine Kündigung bestätigen?"),
]
NO_EVIDENCE = [
    ("nb", "Nettet er nede i hele Tromsø"),
    ("nn", "Ferja er innstilt igjen"),
    ("da", "Toget er forsinket igen"),
    ("sv", "Tåget är försenat igen"),
    ("fi", "Juna on taas myöhässä"),
    ("nl", "De trein is weer vertraagd"),
    ("de", "Der Zug ist schon wieder verspätet"),
    ("en", "The train is late again"),
]


@pytest.mark.parametrize(("language", "text"), FORMAL)
def test_it_hears_the_polite_form_in_every_language_that_has_one(language: str, text: str) -> None:
    assert detect_register(text, language) == "formal"


@pytest.mark.parametrize(("language", "text"), INFORMAL)
def test_it_hears_the_familiar_form_in_every_language_that_has_one(language: str, text: str) -> None:
    assert detect_register(text, language) == "informal"


@pytest.mark.parametrize(("language", "text"), NO_EVIDENCE)
def test_it_says_unknown_when_nobody_is_addressed(language: str, text: str) -> None:
    assert detect_register(text, language) == "unknown"


@pytest.mark.parametrize("text", ["Can you help me please?", "Dear Sir or Madam, kindly advise.", "hey u there"])
def test_it_says_unknown_for_english_which_has_no_distinction(text: str) -> None:
    assert detect_register(text, "en") == "unknown"


def test_it_says_unknown_when_the_language_is_unknown() -> None:
    assert detect_register("Können Sie mir helfen?", "") == "unknown"
    assert detect_register("Können Sie mir helfen?", "fr") == "unknown"


@pytest.mark.parametrize(("language", "text"), [
    ("nb", "De har ikke levert pakken min ennå."),        # "they"
    ("da", "De har stadig ikke svaret på min mail."),      # "they"
    ("de", "Sie hat gesagt, dass das Paket morgen kommt."),  # "she"
    ("da", "I går ventede jeg tre timer på teknikeren."),   # "in" (yesterday)
])
def test_it_does_not_trust_a_capital_at_the_start_of_a_sentence(language: str, text: str) -> None:
    assert detect_register(text, language) == "unknown"


def test_it_uses_the_verb_after_sentence_initial_german_ihr_and_sie() -> None:
    assert detect_register("Ihr habt mir zweimal Geld abgebucht!", "de") == "informal"
    assert detect_register("Ihr Techniker ist nicht gekommen.", "de") == "formal"
    assert detect_register("Sie haben mein Paket verloren!", "de") == "formal"


def test_it_reads_a_mid_sentence_capital_as_polite_and_lower_case_as_they() -> None:
    assert detect_register("Jeg lurer på om De kan ringe meg", "nb") == "formal"
    assert detect_register("Naboene sier de også er uten strøm", "nb") == "unknown"
    assert detect_register("Ich habe Ihnen geschrieben", "de") == "formal"
    assert detect_register("Meine Nachbarn sagen, sie haben auch kein Netz", "de") == "unknown"


def test_it_counts_plural_you_as_informal_where_a_separate_polite_form_exists() -> None:
    assert detect_register("Kan dere ringe meg?", "nb") == "informal"
    assert detect_register("Kan I ringe mig op?", "da") == "informal"
    assert detect_register("Kunnen jullie me bellen?", "nl") == "informal"
    assert detect_register("Könnt ihr mich anrufen?", "de") == "informal"


def test_it_counts_plural_you_as_formal_where_the_polite_form_is_the_plural() -> None:
    assert detect_register("Kan ni ringa mig?", "sv") == "formal"
    assert detect_register("Voitteko soittaa minulle?", "fi") == "formal"


def test_it_ignores_quoted_text() -> None:
    assert detect_register('Kundeservice skrev "De får svar innen 24 timer" men ingenting skjedde', "nb") == "unknown"
    assert detect_register("Der Support schrieb „Sie erhalten bald Antwort“, aber du hast nie geantwortet",
                           "de") == "informal"


def test_it_lets_the_majority_decide_a_mixed_message_and_the_last_word_break_a_tie() -> None:
    assert detect_register("Kan du sjekke dette? Du lovet å ringe. Takk for Deres hjelp", "nb") == "informal"
    assert detect_register("Kunt u helpen? Je collega zei van wel.", "nl") == "informal"
    assert detect_register("Kun je helpen? Ik wacht op uw antwoord.", "nl") == "formal"


def test_it_does_not_take_dutch_hours_for_you() -> None:
    assert detect_register("Binnen 24 u zou het opgelost zijn", "nl") == "unknown"


@pytest.mark.parametrize("text", ["", "   ", "😡😡", "@Telia", "https://example.com/Sie"])
def test_it_handles_empty_and_odd_input(text: str) -> None:
    assert detect_register(text, "de") == "unknown"


def test_it_stays_fast_on_a_100000_character_message() -> None:
    text = "Können Sie mir helfen? " * 4400
    start = time.perf_counter()
    assert detect_register(text, "de") == "formal"
    assert time.perf_counter() - start < 0.02


def test_it_ships_a_labelled_set_of_at_least_25_per_language_and_scores_it() -> None:
    path = Path(__file__).resolve().parents[1] / "webcare" / "triage" / "labelled" / "register.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for language in ("nb", "nn", "da", "sv", "fi", "nl", "de", "en"):
        assert sum(r["language"] == language for r in rows) >= 25, language
    assert {r["register"] for r in rows if r["language"] == "en"} == {"unknown"}
    predicted = [detect_register(r["text"], r["language"]) for r in rows]
    assert accuracy([r["register"] for r in rows], predicted) >= 0.9
