"""webcare's own words for incident updates, in the eight languages it ships, formal and informal: the reply to
everyone affected, the closing update, and the public post. They prefill the incident page's boxes; people edit them.

Why tables and not the interface's translations: the texts go to customers in the customer's language, whatever the
agent's interface language is (as webcare/hours/wording.py does for away replies, whose language list, register
defaults and language-code normalisation are reused here). Pure: no database.

Personalisation: ``{customer_first_name}`` (webcare/replies/variables.py) is filled in per customer. Where a customer
has no name, the greeting goes without it: :func:`personalise` drops the placeholder with the space before it
("Hi {customer_first_name}, …" → "Hi, …"), because a mass update cannot stop to ask the agent.
"""

from __future__ import annotations

import re
from typing import Final

from webcare.hours.wording import DEFAULT_REGISTER, LANGUAGES, REGISTERS, normalise_language
from webcare.replies import variables

__all__ = ["LANGUAGES", "REGISTERS", "default_post", "default_text", "group_key", "language_for", "parse_group_key",
           "personalise", "register_for"]

REPLY_ALL: Final = "reply_all"
CLOSING: Final = "closing"

#: kind → language → register → text.
TEXTS: Final[dict[str, dict[str, dict[str, str]]]] = {
    REPLY_ALL: {
        "en": {
            "informal": "Hi {customer_first_name}, thanks for letting us know. We're aware of the problem and are "
                        "working on it right now. We'll tell you here as soon as it's fixed.",
            "formal": "Hello {customer_first_name}, thank you for contacting us. We are aware of the problem and are "
                      "working to fix it. We will let you know here as soon as it is resolved.",
        },
        "nb": {
            "informal": "Hei {customer_first_name}, takk for at du sa fra! Vi vet om feilen og jobber med den nå. "
                        "Vi gir deg beskjed her så snart den er rettet.",
            "formal": "Hei {customer_first_name}, og takk for henvendelsen. Vi er kjent med feilen og arbeider med "
                      "å rette den. Vi gir deg beskjed her så snart den er løst.",
        },
        "nn": {
            "informal": "Hei {customer_first_name}, takk for at du sa ifrå! Vi veit om feilen og jobbar med han no. "
                        "Vi gir deg beskjed her så snart han er retta.",
            "formal": "Hei {customer_first_name}, og takk for førespurnaden. Vi kjenner til feilen og arbeider med å "
                      "rette han. Vi gir deg beskjed her så snart han er løyst.",
        },
        "da": {
            "informal": "Hej {customer_first_name}, tak fordi du sagde til! Vi kender til fejlen og arbejder på den "
                        "nu. Vi giver dig besked her, så snart den er rettet.",
            "formal": "Hej {customer_first_name}, tak for din henvendelse. Vi er bekendt med fejlen og arbejder på at "
                      "løse den. Vi giver dig besked her, så snart den er løst.",
        },
        "sv": {
            "informal": "Hej {customer_first_name}, tack för att du hörde av dig! Vi känner till felet och jobbar med "
                        "det nu. Vi meddelar dig här så snart det är åtgärdat.",
            "formal": "Hej {customer_first_name}, tack för ditt meddelande. Vi känner till felet och arbetar med att "
                      "åtgärda det. Vi meddelar dig här så snart det är löst.",
        },
        "fi": {
            "informal": "Hei {customer_first_name}, kiitos kun kerroit! Tiedämme viasta ja korjaamme sitä parhaillaan. "
                        "Kerromme sinulle täällä heti, kun se on korjattu.",
            "formal": "Hyvä {customer_first_name}, kiitos yhteydenotostanne. Olemme tietoisia viasta ja työskentelemme "
                      "sen korjaamiseksi. Ilmoitamme teille täällä heti, kun vika on korjattu.",
        },
        "nl": {
            "informal": "Hoi {customer_first_name}, bedankt voor je melding! We weten van de storing en werken er nu "
                        "aan. We laten het je hier weten zodra het is opgelost.",
            "formal": "Beste {customer_first_name}, bedankt voor uw melding. Wij zijn op de hoogte van de storing en "
                      "werken aan een oplossing. Wij laten het u hier weten zodra deze is verholpen.",
        },
        "de": {
            "informal": "Hallo {customer_first_name}, danke für deine Nachricht! Wir kennen das Problem und arbeiten "
                        "gerade daran. Wir melden uns hier, sobald es behoben ist.",
            "formal": "Guten Tag {customer_first_name}, vielen Dank für Ihre Nachricht. Das Problem ist uns bekannt, "
                      "und wir arbeiten an einer Lösung. Wir informieren Sie hier, sobald es behoben ist.",
        },
    },
    CLOSING: {
        "en": {
            "informal": "Hi {customer_first_name}, good news: the problem you told us about is fixed now. Sorry for "
                        "the trouble, and thanks for your patience!",
            "formal": "Hello {customer_first_name}, the problem you reported has now been resolved. We apologise for "
                      "the inconvenience and thank you for your patience.",
        },
        "nb": {
            "informal": "Hei {customer_first_name}, nå er feilen du meldte om rettet. Beklager bryet, og takk for "
                        "tålmodigheten!",
            "formal": "Hei {customer_first_name}, feilen du meldte om, er nå løst. Vi beklager ulempene og takker for "
                      "tålmodigheten.",
        },
        "nn": {
            "informal": "Hei {customer_first_name}, no er feilen du melde om retta. Orsak bryet, og takk for "
                        "tolmodet!",
            "formal": "Hei {customer_first_name}, feilen du melde om, er no løyst. Vi beklagar ulempene og takkar for "
                      "tolmodet.",
        },
        "da": {
            "informal": "Hej {customer_first_name}, nu er fejlen, du skrev om, rettet. Undskyld besværet, og tak for "
                        "din tålmodighed!",
            "formal": "Hej {customer_first_name}, fejlen, du henvendte dig om, er nu løst. Vi beklager ulejligheden "
                      "og takker for din tålmodighed.",
        },
        "sv": {
            "informal": "Hej {customer_first_name}, nu är felet du skrev om åtgärdat. Förlåt för besväret, och tack "
                        "för ditt tålamod!",
            "formal": "Hej {customer_first_name}, felet du kontaktade oss om är nu löst. Vi ber om ursäkt för "
                      "besväret och tackar för ditt tålamod.",
        },
        "fi": {
            "informal": "Hei {customer_first_name}, vika, josta kerroit, on nyt korjattu. Pahoittelut vaivasta ja "
                        "kiitos kärsivällisyydestä!",
            "formal": "Hyvä {customer_first_name}, ilmoittamanne vika on nyt korjattu. Pahoittelemme haittaa ja "
                      "kiitämme kärsivällisyydestänne.",
        },
        "nl": {
            "informal": "Hoi {customer_first_name}, de storing waar je over schreef is opgelost. Sorry voor het "
                        "ongemak en bedankt voor je geduld!",
            "formal": "Beste {customer_first_name}, de storing die u meldde is verholpen. Onze excuses voor het "
                      "ongemak en dank voor uw geduld.",
        },
        "de": {
            "informal": "Hallo {customer_first_name}, das Problem, von dem du uns geschrieben hast, ist behoben. "
                        "Sorry für die Umstände und danke für deine Geduld!",
            "formal": "Guten Tag {customer_first_name}, das von Ihnen gemeldete Problem ist behoben. Wir bitten die "
                      "Unannehmlichkeiten zu entschuldigen und danken Ihnen für Ihre Geduld.",
        },
    },
}

#: The proactive public post, per language (the brand speaks to everybody: each language's usual register).
POSTS: Final[dict[str, str]] = {
    "en": "We know about a problem affecting some of you right now and are working on it. We'll post here when it's "
          "fixed. Sorry for the trouble!",
    "nb": "Vi vet om en feil som rammer noen av dere akkurat nå, og jobber med å rette den. Vi oppdaterer her når "
          "den er løst. Beklager bryet!",
    "nn": "Vi veit om ein feil som rammar nokre av dykk akkurat no, og jobbar med å rette han. Vi oppdaterer her når "
          "han er løyst. Orsak bryet!",
    "da": "Vi kender til en fejl, der rammer nogle af jer lige nu, og arbejder på at rette den. Vi opdaterer her, "
          "når den er løst. Undskyld besværet!",
    "sv": "Vi känner till ett fel som drabbar en del av er just nu och jobbar med att åtgärda det. Vi uppdaterar här "
          "när det är löst. Förlåt för besväret!",
    "fi": "Tiedämme viasta, joka koskee osaa teistä juuri nyt, ja korjaamme sitä. Päivitämme tänne, kun vika on "
          "korjattu. Pahoittelemme haittaa!",
    "nl": "We weten van een storing die sommigen van jullie op dit moment treft en werken aan een oplossing. We "
          "melden het hier zodra die is verholpen. Excuses voor het ongemak!",
    "de": "Uns ist eine Störung bekannt, die einige von Ihnen gerade betrifft, und wir arbeiten daran. Wir melden uns "
          "hier, sobald sie behoben ist. Entschuldigen Sie die Unannehmlichkeiten!",
}

#: ``{customer_first_name}`` with the spaces before it: removed together when there is no name.
_NAME_GAP = re.compile(r"[ \t]*\{" + variables.CUSTOMER_FIRST_NAME + r"\}")


def language_for(ticket_language: str, organisation_languages: list[str]) -> str:
    """The language a customer is written to: the ticket's (its newest message's) when webcare has words for it,
    else the organisation's first such language, else English."""
    for code in (ticket_language, *organisation_languages):
        language = normalise_language(code or "")
        if language in LANGUAGES:
            return language
    return "en"


def register_for(ticket_register: str, language: str) -> str:
    """The ticket's register (triage's formal/informal) when known, else the language's usual one on social media."""
    return ticket_register if ticket_register in REGISTERS else DEFAULT_REGISTER[language]


def group_key(language: str, register: str) -> str:
    """``"nb-informal"``: one text box per key on the incident page."""
    return f"{language}-{register}"


def parse_group_key(key: str) -> tuple[str, str] | None:
    """``"nb-informal"`` → ("nb", "informal"); None for anything else (a form field that is not one of ours)."""
    language, _, register = key.partition("-")
    return (language, register) if language in LANGUAGES and register in REGISTERS else None


def default_text(kind: str, language: str, register: str) -> str:
    """The built-in text of ``kind`` (reply_all, closing) in ``language`` and ``register``."""
    return TEXTS[kind][language][register]


def default_post(language: str) -> str:
    return POSTS.get(normalise_language(language), POSTS["en"])


def personalise(text: str, first_name: str, values: dict[str, str] | None = None) -> str:
    """``text`` for one customer: ``{customer_first_name}`` filled in, or dropped with the space before it when the
    customer has no name; the other known variables (``{agent_first_name}``, ``{ticket_number}``) from ``values``."""
    if not first_name.strip():
        text = _NAME_GAP.sub("", text)
    filled = dict(values or {})
    filled[variables.CUSTOMER_FIRST_NAME] = first_name
    return variables.render(text, filled)
