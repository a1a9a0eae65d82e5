"""webcare's own words for automatic replies, in the eight languages it ships: the built-in texts (away, ack; formal
and informal) and "when we are back" written the way each language says it ("mandag kl. 08:00", "am Montag um
08:00 Uhr", "huomenna klo 8.00").

Written from tables rather than Django's active locale: an automatic reply is in the customer's language, which has
nothing to do with the language of whatever request or worker happens to send it. Pure: no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

LANGUAGES = ("en", "nb", "nn", "da", "sv", "fi", "nl", "de")
REGISTERS = ("formal", "informal")
#: The register used when a message's is unknown: what brands writing that language on social media mostly use.
DEFAULT_REGISTER = {"en": "informal", "nb": "informal", "nn": "informal", "da": "informal", "sv": "informal",
                    "fi": "informal", "nl": "formal", "de": "formal"}
#: Other codes people and detectors use for the same written language.
ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "dan": "da", "swe": "sv", "fin": "fi", "nld": "nl", "deu": "de",
           "ger": "de", "eng": "en"}


@dataclass(frozen=True)
class BackAtWords:
    """How one language says "back at": ``{time}`` and ``{day}``/``{date}`` placeholders in each phrase."""

    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    today: str
    tomorrow: str
    weekday: str
    dated: str
    soon: str
    clock: str = "{h:02d}:{m:02d}"


BACK_AT: dict[str, BackAtWords] = {
    "en": BackAtWords(
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        months=("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December"),
        today="today at {time}", tomorrow="tomorrow at {time}", weekday="{day} at {time}",
        dated="{day} {d} {month} at {time}", soon="soon"),
    "nb": BackAtWords(
        weekdays=("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
        months=("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
                "november", "desember"),
        today="i dag kl. {time}", tomorrow="i morgen kl. {time}", weekday="{day} kl. {time}",
        dated="{day} {d}. {month} kl. {time}", soon="snart"),
    "nn": BackAtWords(
        weekdays=("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
        months=("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
                "november", "desember"),
        today="i dag kl. {time}", tomorrow="i morgon kl. {time}", weekday="{day} kl. {time}",
        dated="{day} {d}. {month} kl. {time}", soon="snart"),
    "da": BackAtWords(
        weekdays=("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
        months=("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
                "november", "december"),
        today="i dag kl. {time}", tomorrow="i morgen kl. {time}", weekday="på {day} kl. {time}",
        dated="{day} den {d}. {month} kl. {time}", soon="snart", clock="{h:02d}.{m:02d}"),
    "sv": BackAtWords(
        weekdays=("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
        months=("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                "november", "december"),
        today="i dag kl. {time}", tomorrow="i morgon kl. {time}", weekday="på {day} kl. {time}",
        dated="{day} den {d} {month} kl. {time}", soon="snart", clock="{h:02d}.{m:02d}"),
    "fi": BackAtWords(
        # Essive ("on Monday") and partitive month names ("5. tammikuuta"), as the sentence needs them.
        weekdays=("maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina", "lauantaina",
                  "sunnuntaina"),
        months=("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta",
                "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"),
        today="tänään klo {time}", tomorrow="huomenna klo {time}", weekday="{day} klo {time}",
        dated="{day} {d}. {month} klo {time}", soon="pian", clock="{h}.{m:02d}"),
    "nl": BackAtWords(
        weekdays=("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        months=("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                "november", "december"),
        today="vandaag om {time} uur", tomorrow="morgen om {time} uur", weekday="{day} om {time} uur",
        dated="{day} {d} {month} om {time} uur", soon="binnenkort", clock="{h:02d}.{m:02d}"),
    "de": BackAtWords(
        weekdays=("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        months=("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                "November", "Dezember"),
        today="heute um {time} Uhr", tomorrow="morgen um {time} Uhr", weekday="am {day} um {time} Uhr",
        dated="am {day}, {d}. {month}, um {time} Uhr", soon="bald"),
}


def normalise_language(code: str) -> str:
    """``"nb-NO"`` → ``"nb"``, ``"no"`` → ``"nb"``, ``"EN_gb"`` → ``"en"``; "" stays ""."""
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return ALIASES.get(base, base)


def format_back_at(back_at: datetime | None, now: datetime, time_zone: str, language: str) -> str:
    """When we are back, in ``language`` (English for one webcare has no words for), seen from ``now`` in the desk's
    time zone: "today at 13:00", "tomorrow at 08:00", "Monday at 08:00" within a week, with the date beyond."""
    words = BACK_AT.get(normalise_language(language), BACK_AT["en"])
    if back_at is None:
        return words.soon
    zone = ZoneInfo(time_zone)
    local, today = back_at.astimezone(zone), now.astimezone(zone).date()
    time_text = words.clock.format(h=local.hour, m=local.minute)
    days = (local.date() - today).days
    if days <= 0:
        return words.today.format(time=time_text)
    if days == 1:
        return words.tomorrow.format(time=time_text)
    day = words.weekdays[local.weekday()]
    if local.date() < today + timedelta(days=7):
        return words.weekday.format(day=day, time=time_text)
    return words.dated.format(day=day, d=local.day, month=words.months[local.month - 1], time=time_text)


#: The built-in texts: kind → language → register → text. Warm, plain, signed by nobody; formal is the more
#: distant wording (Norwegian, Danish and Swedish formal texts still say "du", as people do now; German "Sie",
#: Dutch "u", Finnish "te").
DEFAULT_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "away": {
        "en": {
            "informal": "Hi {name}, thanks for your message! We're closed right now and back {back_at}. "
                        "We'll answer you as soon as we're in.",
            "formal": "Hello {name}, thank you for your message. Our customer service is closed at the moment and "
                      "opens again {back_at}. We will reply to you then.",
        },
        "nb": {
            "informal": "Hei {name}, takk for meldingen! Vi har stengt nå og er tilbake {back_at}. "
                        "Da svarer vi deg så fort vi kan.",
            "formal": "Hei {name}, og takk for henvendelsen. Kundeservice er stengt for øyeblikket og åpner igjen "
                      "{back_at}. Vi besvarer henvendelsen din så snart vi er tilbake.",
        },
        "nn": {
            "informal": "Hei {name}, takk for meldinga! Vi har stengt no og er tilbake {back_at}. "
                        "Då svarar vi deg så fort vi kan.",
            "formal": "Hei {name}, og takk for førespurnaden. Kundeservice er stengd for augneblinken og opnar igjen "
                      "{back_at}. Vi svarar på førespurnaden din så snart vi er tilbake.",
        },
        "da": {
            "informal": "Hej {name}, tak for din besked! Vi har lukket lige nu og er tilbage {back_at}. "
                        "Så svarer vi dig hurtigst muligt.",
            "formal": "Tak for din henvendelse. Vores kundeservice er lukket i øjeblikket og åbner igen {back_at}. "
                      "Vi besvarer din henvendelse, så snart vi er tilbage.",
        },
        "sv": {
            "informal": "Hej {name}, tack för ditt meddelande! Vi har stängt just nu och är tillbaka {back_at}. "
                        "Då svarar vi dig så snart vi kan.",
            "formal": "Tack för ditt meddelande. Vår kundtjänst är stängd för tillfället och öppnar igen {back_at}. "
                      "Vi besvarar ditt ärende så snart vi är tillbaka.",
        },
        "fi": {
            "informal": "Hei {name}, kiitos viestistäsi! Olemme nyt kiinni ja palaamme {back_at}. "
                        "Vastaamme sinulle heti, kun olemme taas paikalla.",
            "formal": "Kiitos yhteydenotostanne. Asiakaspalvelumme on tällä hetkellä suljettu ja avautuu jälleen "
                      "{back_at}. Vastaamme viestiinne mahdollisimman pian, kun olemme jälleen paikalla.",
        },
        "nl": {
            "informal": "Hoi {name}, bedankt voor je bericht! We zijn nu gesloten en {back_at} weer bereikbaar. "
                        "Dan reageren we zo snel mogelijk.",
            "formal": "Bedankt voor uw bericht. Onze klantenservice is op dit moment gesloten en is {back_at} weer "
                      "bereikbaar. Wij beantwoorden uw bericht dan zo spoedig mogelijk.",
        },
        "de": {
            "informal": "Hallo {name}, danke für deine Nachricht! Wir sind gerade nicht da und {back_at} wieder "
                        "erreichbar. Dann melden wir uns so schnell wie möglich bei dir.",
            "formal": "Vielen Dank für Ihre Nachricht. Unser Kundenservice ist derzeit nicht besetzt und {back_at} "
                      "wieder für Sie da. Wir melden uns dann schnellstmöglich bei Ihnen.",
        },
    },
    "ack": {
        "en": {
            "informal": "Hi {name}, we've got your message and haven't forgotten you. "
                        "Someone from our team will answer as soon as possible.",
            "formal": "Hello {name}, thank you for your patience. We have received your message, and one of our "
                      "staff will reply as soon as possible.",
        },
        "nb": {
            "informal": "Hei {name}, vi har fått meldingen din og har ikke glemt deg. "
                        "Noen hos oss svarer så snart vi kan.",
            "formal": "Hei {name}, takk for tålmodigheten. Vi har mottatt henvendelsen din, og en av våre "
                      "medarbeidere besvarer den så snart som mulig.",
        },
        "nn": {
            "informal": "Hei {name}, vi har fått meldinga di og har ikkje gløymt deg. "
                        "Nokon hos oss svarar så snart vi kan.",
            "formal": "Hei {name}, takk for tolmodet. Vi har motteke førespurnaden din, og ein av medarbeidarane "
                      "våre svarar så snart som mogleg.",
        },
        "da": {
            "informal": "Hej {name}, vi har fået din besked og har ikke glemt dig. "
                        "En af os svarer dig, så snart vi kan.",
            "formal": "Tak for din tålmodighed. Vi har modtaget din henvendelse, og en af vores medarbejdere "
                      "besvarer den hurtigst muligt.",
        },
        "sv": {
            "informal": "Hej {name}, vi har fått ditt meddelande och har inte glömt dig. "
                        "Någon av oss svarar så snart vi kan.",
            "formal": "Tack för ditt tålamod. Vi har tagit emot ditt ärende, och en av våra medarbetare återkommer "
                      "till dig så snart som möjligt.",
        },
        "fi": {
            "informal": "Hei {name}, saimme viestisi emmekä ole unohtaneet sinua. "
                        "Joku meistä vastaa sinulle mahdollisimman pian.",
            "formal": "Kiitos kärsivällisyydestänne. Olemme vastaanottaneet viestinne, ja asiakaspalvelijamme "
                      "vastaa teille mahdollisimman pian.",
        },
        "nl": {
            "informal": "Hoi {name}, we hebben je bericht ontvangen en zijn je niet vergeten. "
                        "Iemand van ons team reageert zo snel mogelijk.",
            "formal": "Dank voor uw geduld. Wij hebben uw bericht ontvangen en een van onze medewerkers reageert zo "
                      "spoedig mogelijk.",
        },
        "de": {
            "informal": "Hallo {name}, wir haben deine Nachricht bekommen und dich nicht vergessen. "
                        "Jemand aus unserem Team antwortet dir so bald wie möglich.",
            "formal": "Vielen Dank für Ihre Geduld. Wir haben Ihre Nachricht erhalten, und jemand aus unserem Team "
                      "antwortet Ihnen so bald wie möglich.",
        },
    },
}


def default_text(kind: str, language: str, register: str) -> str | None:
    """The built-in text, or None for a language webcare has no words for."""
    by_language = DEFAULT_TEXTS.get(kind, {}).get(normalise_language(language))
    if by_language is None:
        return None
    chosen = register if register in REGISTERS else DEFAULT_REGISTER[normalise_language(language)]
    return by_language[chosen]
