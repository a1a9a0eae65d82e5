"""The private message sent when a customer's public comment showed personal data: "we hid your comment (or: please
delete it), let's continue here", in the customer's language and register.

Why prepared: the moment matters (every minute the comment stays up it can be copied), so the agent should press one
button, not write a careful message in a language they may not speak. The text names no personal data — only the
customer's first name, and only to the customer. Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from webcare.hours.wording import ALIASES, DEFAULT_REGISTER


@dataclass(frozen=True)
class Wording:
    greeting: str  #: with ``{name}``, the customer's first name
    greeting_no_name: str
    hidden: str  #: the comment was hidden
    please_delete: str  #: the platform cannot hide it: ask the customer to delete it
    go_on: str


WORDING: dict[tuple[str, str], Wording] = {
    ("en", "informal"): Wording(
        "Hi {name},", "Hi,", "we've hidden your comment because it showed personal information.",
        "your comment shows personal information, and we can't hide it there: please delete it.",
        "Let's continue here, in private: how can we help?"),
    ("en", "formal"): Wording(
        "Hello {name},", "Hello,", "we have hidden your comment because it contained personal information.",
        "your comment contains personal information, and we cannot hide it there: please delete it.",
        "Let us continue here, in private: how may we help you?"),
    ("nb", "informal"): Wording(
        "Hei {name}!", "Hei!", "Vi har skjult kommentaren din fordi den viste personopplysninger.",
        "Kommentaren din viser personopplysninger, og vi kan ikke skjule den der: slett den gjerne.",
        "La oss fortsette her, privat: hva kan vi hjelpe deg med?"),
    ("nb", "formal"): Wording(
        "Hei {name}.", "Hei.", "Vi har skjult kommentaren Deres fordi den viste personopplysninger.",
        "Kommentaren Deres viser personopplysninger, og vi kan ikke skjule den der: vennligst slett den.",
        "La oss fortsette her, privat: hva kan vi hjelpe Dem med?"),
    ("nn", "informal"): Wording(
        "Hei {name}!", "Hei!", "Vi har gøymt kommentaren din fordi han viste personopplysningar.",
        "Kommentaren din viser personopplysningar, og vi kan ikkje gøyme han der: slett han gjerne.",
        "Lat oss halde fram her, privat: kva kan vi hjelpe deg med?"),
    ("nn", "formal"): Wording(
        "Hei {name}.", "Hei.", "Vi har gøymt kommentaren Dykkar fordi han viste personopplysningar.",
        "Kommentaren Dykkar viser personopplysningar, og vi kan ikkje gøyme han der: ver venleg og slett han.",
        "Lat oss halde fram her, privat: kva kan vi hjelpe Dykk med?"),
    ("da", "informal"): Wording(
        "Hej {name}!", "Hej!", "Vi har skjult din kommentar, fordi den viste personoplysninger.",
        "Din kommentar viser personoplysninger, og vi kan ikke skjule den der: slet den gerne.",
        "Lad os fortsætte her, privat: hvad kan vi hjælpe dig med?"),
    ("da", "formal"): Wording(
        "Hej {name}.", "Hej.", "Vi har skjult Deres kommentar, fordi den viste personoplysninger.",
        "Deres kommentar viser personoplysninger, og vi kan ikke skjule den der: slet den venligst.",
        "Lad os fortsætte her, privat: hvad kan vi hjælpe Dem med?"),
    ("sv", "informal"): Wording(
        "Hej {name}!", "Hej!", "Vi har dolt din kommentar eftersom den visade personuppgifter.",
        "Din kommentar visar personuppgifter och vi kan inte dölja den där: radera den gärna.",
        "Vi fortsätter här, privat: vad kan vi hjälpa dig med?"),
    ("sv", "formal"): Wording(
        "Hej {name}.", "Hej.", "Vi har dolt er kommentar eftersom den visade personuppgifter.",
        "Er kommentar visar personuppgifter och vi kan inte dölja den där: vänligen radera den.",
        "Vi fortsätter här, privat: vad kan vi hjälpa er med?"),
    ("fi", "informal"): Wording(
        "Hei {name}!", "Hei!", "Piilotimme kommenttisi, koska siinä näkyi henkilötietoja.",
        "Kommentissasi näkyy henkilötietoja, emmekä voi piilottaa sitä siellä: poistathan sen.",
        "Jatketaan täällä yksityisesti: miten voimme auttaa?"),
    ("fi", "formal"): Wording(
        "Hei {name}.", "Hei.", "Piilotimme kommenttinne, koska siinä näkyi henkilötietoja.",
        "Kommentissanne näkyy henkilötietoja, emmekä voi piilottaa sitä siellä: pyydämme teitä poistamaan sen.",
        "Jatketaan täällä yksityisesti: miten voimme auttaa teitä?"),
    ("nl", "informal"): Wording(
        "Hoi {name}!", "Hoi!", "We hebben je reactie verborgen, omdat er persoonsgegevens in stonden.",
        "In je reactie staan persoonsgegevens en we kunnen die daar niet verbergen: wil je hem verwijderen?",
        "Laten we hier privé verdergaan: waarmee kunnen we je helpen?"),
    ("nl", "formal"): Wording(
        "Beste {name},", "Beste klant,", "we hebben uw reactie verborgen, omdat er persoonsgegevens in stonden.",
        "in uw reactie staan persoonsgegevens en we kunnen die daar niet verbergen: wilt u hem verwijderen?",
        "Laten we hier privé verdergaan: waarmee kunnen we u helpen?"),
    ("de", "informal"): Wording(
        "Hallo {name}!", "Hallo!", "Wir haben deinen Kommentar ausgeblendet, weil er persönliche Daten zeigte.",
        "Dein Kommentar zeigt persönliche Daten, und wir können ihn dort nicht ausblenden: Bitte lösche ihn.",
        "Lass uns hier privat weitermachen: Wie können wir dir helfen?"),
    ("de", "formal"): Wording(
        "Guten Tag {name},", "Guten Tag,", "wir haben Ihren Kommentar ausgeblendet, weil er persönliche Daten "
        "enthielt.", "Ihr Kommentar enthält persönliche Daten, und wir können ihn dort nicht ausblenden: Bitte "
        "löschen Sie ihn.", "Lassen Sie uns hier privat weitermachen: Wie können wir Ihnen helfen?"),
}


def wording_for(language: str, register: str) -> tuple[str, str]:
    """The (language, register) the text will be in: English for a language webcare has no text in, and the
    language's usual register on social media when the message's is unknown."""
    language = ALIASES.get(language, language)
    if (language, "informal") not in WORDING:
        language = "en"
    if register not in ("formal", "informal"):
        register = DEFAULT_REGISTER.get(language, "informal")
    return language, register


def first_name(name: str) -> str:
    """The first word of a shown name ("Kari Nordmann" → "Kari"); "" for a handle-like or empty name."""
    word = (name or "").strip().split(" ", 1)[0].strip(",.;:!")
    if not word or word.startswith("@") or any(ch.isdigit() for ch in word) or len(word) > 40:
        return ""
    return word


def private_message(language: str, register: str, name: str = "", *, hidden: bool = True) -> str:
    """The prepared private message; ``hidden`` False asks the customer to delete the comment instead."""
    words = WORDING[wording_for(language, register)]
    first = first_name(name)
    greeting = words.greeting.format(name=first) if first else words.greeting_no_name
    return f"{greeting} {words.hidden if hidden else words.please_delete} {words.go_on}"
