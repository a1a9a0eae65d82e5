"""Urgency signals and priority (webcare/triage/priority.py): pure rules, no database."""

from __future__ import annotations

import pytest

from webcare.triage.priority import (
    HIGH,
    LOW,
    NORMAL,
    URGENT,
    is_angry,
    priority_for,
    shouting,
    threatens,
    urgency_signals,
)

THREATS = [
    ("en", "If this isn't fixed today I'm going to the press."),
    ("en", "Cancel my subscription, I'm done with you"),
    ("nb", "Nå går jeg til VG med dette."),
    ("nb", "Jeg sier opp abonnementet hvis ikke dette ordner seg"),
    ("nn", "Eg seier opp avtalen om de ikkje svarar i dag"),
    ("da", "Jeg går til pressen med det her"),
    ("da", "Jeg opsiger mit abonnement i morgen"),
    ("sv", "Jag kommer att säga upp mitt abonnemang"),
    ("sv", "Nu går jag till Aftonbladet med det här"),
    ("fi", "Irtisanon liittymäni huomenna jos tätä ei korjata"),
    ("fi", "Vien asian kuluttajariitalautakuntaan"),
    ("nl", "Ik stap over naar een andere provider als dit zo doorgaat"),
    ("nl", "Ik ga naar de Consumentenbond hiermee"),
    ("de", "Ich werde meinen Vertrag kündigen"),
    ("de", "Ich schalte die Verbraucherzentrale ein"),
]

CALM = [
    ("en", "How do I change my billing address?"),
    ("nb", "Hei, når kommer pakken min?"),
    ("nn", "Kva kostar det å byte til fiber?"),
    ("da", "Tak for hjælpen i går!"),
    ("sv", "Hur ändrar jag min adress?"),
    ("fi", "Milloin paketti saapuu?"),
    ("nl", "Hoe kan ik mijn adres wijzigen?"),
    ("de", "Wann kommt mein Paket an?"),
]


@pytest.mark.parametrize(("language", "text"), THREATS)
def test_it_hears_a_threat_to_go_public_or_leave(language: str, text: str) -> None:
    assert threatens(text, language)
    assert threatens(text, "")  # and without knowing the language


@pytest.mark.parametrize(("language", "text"), CALM)
def test_it_hears_no_threat_in_an_ordinary_question(language: str, text: str) -> None:
    assert not threatens(text, language)
    assert not threatens(text, "")


def test_it_tells_shouting_from_emphasis() -> None:
    assert shouting("WHERE IS MY REFUND")
    assert shouting("Where is my refund!!!")
    assert not shouting("Where is my refund!")
    assert not shouting("OK")  # too short to call capitals shouting


def test_it_needs_more_than_a_bad_mood_for_anger() -> None:
    assert is_angry("WHERE IS MY REFUND", sentiment=-0.7, profane=False, abuse_score=0.1)
    assert is_angry("this is shit", sentiment=-0.6, profane=True, abuse_score=0.3)
    assert is_angry("you are all idiots", sentiment=0.0, profane=False, abuse_score=0.9)
    assert not is_angry("I am disappointed with the delay.", sentiment=-0.7, profane=False, abuse_score=0.1)
    assert not is_angry("fucking brilliant service, thanks!", sentiment=0.8, profane=True, abuse_score=0.4)


def test_it_makes_personal_data_in_public_urgent_but_not_in_private() -> None:
    public = urgency_signals(text="my number is [PHONE]", language="en", public=True, has_pii=True, sentiment=0.0,
                             profane=False, abuse_score=0.0)
    private = urgency_signals(text="my number is [PHONE]", language="en", public=False, has_pii=True, sentiment=0.0,
                              profane=False, abuse_score=0.0)
    assert public == ["pii_public"]
    assert private == []
    assert priority_for(public, ["question"]) == URGENT
    assert priority_for(private, ["question"]) == NORMAL


def test_it_raises_priority_with_each_signal() -> None:
    assert priority_for([], ["complaint"]) == NORMAL
    assert priority_for(["threat"], ["complaint"]) == HIGH
    assert priority_for(["repeat_contact"], ["question"]) == HIGH
    assert priority_for(["anger", "threat"], ["complaint"]) == URGENT
    assert priority_for(["anger", "repeat_contact"], ["complaint"]) == URGENT


def test_it_gives_praise_chat_and_spam_low_priority() -> None:
    assert priority_for([], ["praise"]) == LOW
    assert priority_for([], ["other"]) == LOW
    assert priority_for([], ["spam"]) == LOW
    assert priority_for([], ["praise", "question"]) == NORMAL
    assert priority_for(["anger"], ["spam"]) == HIGH


def test_it_reports_repeat_contact_only_when_the_worker_says_so() -> None:
    common = {"text": "Still no answer", "language": "en", "public": False, "has_pii": False, "sentiment": -0.2,
              "profane": False, "abuse_score": 0.0}
    assert urgency_signals(**common) == []
    assert urgency_signals(**common, repeat_contact=True) == ["repeat_contact"]
