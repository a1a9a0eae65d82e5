"""A deterministic evaluation corpus for :mod:`webcare.triage.pii`: valid identifiers in customer-service sentences.

Why generated: real messages with real identity numbers cannot be collected or published. So every identifier here is
*made* checksum-valid (fødselsnummer and D-numbers with both check digits, CPR with a real date and century digit,
personnummer and samordningsnummer with Luhn, HETU with its check character, BSN with the 11-check, Steuer-ID with
ISO 7064, IBANs of NO/DK/SE/FI/NL/DE through stdnum, Visa/Mastercard/Amex with Luhn, phone numbers that phonenumbers
calls valid) by a seeded generator, written the ways people write them (with and without spaces and dashes), and put
into sentence templates in nb, nn, da, sv, fi, nl, de and en — with and without context words. Negatives are
sentences full of order numbers, dates, times, timestamps, prices, amounts, tracking numbers (including 16-digit
Luhn-valid ones), flight numbers, postcodes, customer numbers, versions and IMEIs.

The templates are deliberately not the sentences of ``tests/test_triage_pii.py``. Three groups:

- ``positive``: identifiers as people post them: strong ones anywhere, weak ones (CPR without its dash, BSN, a
  personnummer without dash outside Swedish text, Steuer-ID) next to a context word. The headline figures.
- ``weak_bare``: weak identifiers with no context word at all — indistinguishable from an order number, not flagged
  by design; reported separately so the cost of that choice is visible.
- ``negative``: no personal data; every span flagged there is a false positive.
"""

from __future__ import annotations

import datetime
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import phonenumbers
from stdnum import iban as std_iban
from stdnum.de import idnr as std_idnr

SEED = 20240315
LANGUAGES = ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")


@dataclass(frozen=True)
class GoldSpan:
    type: str
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    group: str  # "positive" | "weak_bare" | "negative"
    spans: tuple[GoldSpan, ...] = field(default_factory=tuple)
    tag: str = ""  # what the negative is ("order", "date", …) or how the positive was written


# --- identifiers ---------------------------------------------------------------------------------------------------

def _date(rng: random.Random, first: int = 1935, last: int = 2022) -> datetime.date:
    start = datetime.date(first, 1, 1).toordinal()
    return datetime.date.fromordinal(rng.randint(start, datetime.date(last, 12, 31).toordinal()))


def fodselsnummer(rng: random.Random, d_number: bool = False) -> str:
    while True:
        born = _date(rng)
        individual = rng.randint(500, 999) if born.year >= 2000 else rng.randint(0, 499)
        day = born.day + (40 if d_number else 0)
        base = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
        k1 = (11 - sum(w * int(c) for w, c in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), base, strict=True))) % 11
        if k1 == 10:
            continue
        base += str(k1)
        k2 = (11 - sum(w * int(c) for w, c in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), base, strict=True))) % 11
        if k2 == 10:
            continue
        return base + str(k2)


def cpr(rng: random.Random) -> str:
    born = _date(rng, 1935, 2022)
    seventh = rng.choice("0123") if born.year < 2000 else rng.choice("456789")
    return f"{born.day:02d}{born.month:02d}{born.year % 100:02d}{seventh}{rng.randint(0, 999):03d}"


def _luhn_digit(partial: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def personnummer(rng: random.Random, coordination: bool = False) -> tuple[str, str]:
    """(12-digit form, 10-digit form) of a valid personnummer or samordningsnummer."""
    born = _date(rng, 1935, 2022)
    day = born.day + (60 if coordination else 0)
    short = f"{born.year % 100:02d}{born.month:02d}{day:02d}{rng.randint(0, 999):03d}"
    short += _luhn_digit(short)
    return f"{born.year // 100}{short}", short


_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def hetu(rng: random.Random) -> str:
    born = _date(rng, 1935, 2022)
    sign = rng.choice("-YXWVU") if born.year < 2000 else rng.choice("ABCDEF")
    individual = rng.randint(2, 899)
    dd = f"{born.day:02d}{born.month:02d}{born.year % 100:02d}"
    return f"{dd}{sign}{individual:03d}{_HETU_CHECK[int(f'{dd}{individual:03d}') % 31]}"


def bsn(rng: random.Random) -> str:
    while True:
        head = f"{rng.randint(1000000, 39999999):08d}"
        check = sum(w * int(c) for w, c in zip(range(9, 1, -1), head, strict=True)) % 11
        if check < 10:
            return head + str(check)


def steuer_id(rng: random.Random) -> str:
    while True:
        number = str(rng.randint(10**10, 10**11 - 1))
        if std_idnr.is_valid(number):
            return number


_BBAN: dict[str, Callable[[random.Random], str]] = {
    "NO": lambda r: "".join(r.choice(string.digits) for _ in range(11)),
    "DK": lambda r: "".join(r.choice(string.digits) for _ in range(14)),
    "SE": lambda r: r.choice(["500", "300", "800", "600", "120", "950"]) + "".join(
        r.choice(string.digits) for _ in range(17)),
    "FI": lambda r: "".join(r.choice(string.digits) for _ in range(14)),
    "NL": lambda r: r.choice(["ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB", "BUNQ"]) + "".join(
        r.choice(string.digits) for _ in range(10)),
    "DE": lambda r: "".join(r.choice(string.digits) for _ in range(18)),
}


def iban(rng: random.Random, country: str) -> str:
    while True:
        bban = _BBAN[country](rng)
        number = f"{country}{std_iban.calc_check_digits(country + '00' + bban)}{bban}"
        if std_iban.is_valid(number):
            return number


def card(rng: random.Random, brand: str) -> str:
    if brand == "visa":
        partial = "4" + "".join(rng.choice(string.digits) for _ in range(14))
    elif brand == "mastercard":
        prefix = str(rng.randint(51, 55)) if rng.random() < 0.7 else str(rng.randint(2221, 2720))
        partial = prefix + "".join(rng.choice(string.digits) for _ in range(15 - len(prefix)))
    else:
        partial = rng.choice(["34", "37"]) + "".join(rng.choice(string.digits) for _ in range(12))
    return partial + _luhn_digit(partial)


_PHONE_PREFIXES = {  # national significant number prefixes and lengths people actually have
    "NO": [("4", 8), ("9", 8), ("2", 8), ("5", 8), ("7", 8), ("3", 8)],
    "DK": [("2", 8), ("3", 8), ("4", 8), ("5", 8), ("6", 8), ("7", 8), ("8", 8), ("9", 8)],
    "SE": [("70", 9), ("72", 9), ("73", 9), ("76", 9), ("79", 9), ("8", 8), ("8", 9), ("31", 9), ("40", 9),
           ("18", 8)],
    "FI": [("40", 9), ("41", 9), ("44", 9), ("45", 9), ("50", 9), ("9", 8), ("9", 9), ("2", 9), ("3", 9)],
    "NL": [("6", 9), ("6", 9), ("10", 9), ("20", 9), ("30", 9), ("70", 9), ("40", 9), ("85", 9)],
    "DE": [("151", 11), ("152", 11), ("160", 10), ("170", 10), ("171", 10), ("176", 11), ("30", 9), ("30", 10),
           ("40", 10), ("89", 10), ("221", 10), ("69", 10)],
}
_TRUNK = {"NO": "", "DK": "", "SE": "0", "FI": "0", "NL": "0", "DE": "0"}
_CC = {"NO": "47", "DK": "45", "SE": "46", "FI": "358", "NL": "31", "DE": "49"}


def phone(rng: random.Random, region: str) -> tuple[str, str]:
    """A valid phone number of ``region`` written in one of the usual ways: (text, how)."""
    while True:
        prefix, length = rng.choice(_PHONE_PREFIXES[region])
        nsn = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix)))
        number = phonenumbers.parse("+" + _CC[region] + nsn, None)
        if phonenumbers.is_valid_number(number):
            break
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    trunk = _TRUNK[region] + nsn
    ways: list[tuple[str, str]] = [
        (national, "national"), (trunk, "national-compact"),
        (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL), "international"),
        (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), "e164"),
        (f"00{_CC[region]} {nsn}", "00-international"),
    ]
    if region in ("NO", "DK"):
        ways.append((" ".join(nsn[i:i + 2] for i in range(0, 8, 2)), "pairs"))
        if region == "NO" and nsn[0] in "49":
            ways.append((f"{nsn[:3]} {nsn[3:5]} {nsn[5:]}", "3-2-3"))
    else:
        cut = 2 if trunk.startswith(("06", "08", "09")) else 3 if region != "DE" or not trunk.startswith("01") else 4
        sep = {"DE": rng.choice(["/", " ", "-"]), "SE": "-", "FI": rng.choice(["-", " "]), "NL": "-"}[region]
        ways.append((f"{trunk[:cut]}{sep}{trunk[cut:]}", "area-separated"))
        ways.append((f"+{_CC[region]} (0){trunk[1:cut]} {trunk[cut:]}", "international-(0)") if region == "DE"
                    else (f"+{_CC[region]}{nsn}", "e164"))
    return rng.choice(ways)


_FIRST = ["ola", "kari", "mette", "lars", "anna", "erik", "sanna", "mikko", "jukka", "sanne", "daan", "lotte",
          "jürgen", "lena", "tom", "emily", "jens", "søren", "åsa", "bjørn", "päivi", "nguyen", "ali", "fatima"]
_LAST = ["nordmann", "hansen", "jensen", "andersson", "virtanen", "de.vries", "jansen", "mueller", "schmidt",
         "smith", "berg", "lindqvist", "korhonen", "bakker", "olsen", "nieminen", "fischer", "brown"]
_DOMAINS = ["gmail.com", "hotmail.no", "outlook.dk", "live.se", "yahoo.fi", "ziggo.nl", "web.de", "gmx.de",
            "online.no", "telia.com", "icloud.com", "student.uu.se", "firma.co.uk", "kpnmail.nl", "t-online.de",
            "luukku.com", "jubii.dk", "bredband.net", "mail.example.org", "posteo.de"]


def email(rng: random.Random) -> str:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    style = rng.randint(0, 5)
    local = [f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first[0]}{last}", f"{first}_{last}",
             f"{first}.{last}+support", f"{last}-{first}{rng.randint(1950, 2005)}"][style]
    address = f"{local}@{rng.choice(_DOMAINS)}"
    address = address.replace("ü", "u").replace("ø", "o").replace("å", "a").replace("ä", "a") if rng.random() < 0.8 \
        else address
    return address.upper() if rng.random() < 0.05 else address


# --- how identifiers are written -----------------------------------------------------------------------------------

def _write_id(rng: random.Random, kind: str) -> tuple[str, str, bool]:
    """(text, how, weak-without-context) for a national identity number of ``kind``."""
    if kind in ("no.fodselsnummer", "no.d-nummer"):
        n = fodselsnummer(rng, kind == "no.d-nummer")
        return (n, "compact", False) if rng.random() < 0.7 else (f"{n[:6]} {n[6:]}", "6 5", False)
    if kind == "dk.cpr":
        n = cpr(rng)
        r = rng.random()
        if r < 0.6:
            return f"{n[:6]}-{n[6:]}", "DDMMYY-XXXX", False
        return (n, "compact", True) if r < 0.9 else (f"{n[:6]} {n[6:]}", "6 4", True)
    if kind in ("se.personnummer", "se.samordningsnummer"):
        long, short = personnummer(rng, kind == "se.samordningsnummer")
        r = rng.random()
        if r < 0.4:
            return f"{short[:6]}-{short[6:]}", "YYMMDD-XXXX", False
        if r < 0.65:
            return f"{long[:8]}-{long[8:]}", "YYYYMMDD-XXXX", False
        if r < 0.85:
            return long, "12 digits", False
        return short, "10 digits", True  # weak unless Swedish text or context: decided by the caller
    if kind == "fi.hetu":
        return hetu(rng), "hetu", False
    if kind == "nl.bsn":
        n = bsn(rng)
        r = rng.random()
        return (n, "compact", True) if r < 0.7 else (f"{n[:4]}.{n[4:6]}.{n[6:]}", "4.2.3", True) if r < 0.85 \
            else (f"{n[:3]} {n[3:6]} {n[6:]}", "3 3 3", True)
    if kind == "de.idnr":
        n = steuer_id(rng)
        return (n, "compact", True) if rng.random() < 0.7 else (f"{n[:2]} {n[2:5]} {n[5:8]} {n[8:]}", "2 3 3 3", True)
    raise ValueError(kind)


def _write_iban(rng: random.Random) -> tuple[str, str]:
    country = rng.choice(list(_BBAN))
    n = iban(rng, country)
    r = rng.random()
    if r < 0.55:
        return " ".join(n[i:i + 4] for i in range(0, len(n), 4)), f"iban.{country.lower()}"
    if r < 0.95:
        return n, f"iban.{country.lower()}"
    return " ".join(n[i:i + 4] for i in range(0, len(n), 4)).lower(), f"iban.{country.lower()}"


def _write_card(rng: random.Random) -> tuple[str, str]:
    brand = rng.choice(["visa", "visa", "mastercard", "amex"])
    n = card(rng, brand)
    r = rng.random()
    if brand == "amex":
        return (n, brand) if r < 0.4 else (f"{n[:4]} {n[4:10]} {n[10:]}", brand)
    if r < 0.35:
        return n, brand
    if r < 0.85:
        return " ".join(n[i:i + 4] for i in range(0, 16, 4)), brand
    return "-".join(n[i:i + 4] for i in range(0, 16, 4)), brand


# --- templates -----------------------------------------------------------------------------------------------------
# {x} is the identifier; in "two" templates {x} and {y}. Categories say which context the sentence gives.

T: dict[str, dict[str, list[str]]] = {
    "nb": {
        "id": ["Hei! Fødselsnummeret mitt er {x}, kan dere finne saken min?",
               "fnr {x} – har fortsatt ikke fått svar",
               "Dere spurte etter personnummer, her er det: {x}",
               "mitt f.nr. er {x} hvis dere trenger det",
               "Søk opp fødselsnr. {x} så ser dere avtalen",
               "{x} er fødselsnummeret mitt, jeg har ventet i tre uker nå"],
        "d": ["D-nummeret mitt er {x}, jeg har ikke fått norsk fødselsnummer enda",
              "Jeg bruker d-nummer {x} hos dere"],
        "phone": ["Kan noen ringe meg på {x}? Får ikke logget inn.", "Tlf: {x}",
                  "Nås best på mobil {x} etter kl 16", "send sms til {x} når det er klart",
                  "ring meg {x} takk", "Mobilnummeret mitt er endret til {x}"],
        "card": ["Dere har trukket kortet mitt to ganger! Kortnummer {x}",
                 "Betalte med visa {x} men fikk ingen bekreftelse",
                 "Kredittkortet {x} ble belastet for et abonnement jeg har sagt opp"],
        "iban": ["Refunder til kontoen min: {x}", "IBAN {x}, mottaker Kari Nordmann",
                 "Pengene kan settes inn på {x} 🙏"],
        "email": ["Send bekreftelsen til {x} er dere snille", "e-posten min er {x}",
                  "Har ikke fått noe på {x} ennå"],
        "bare": ["@Kundeservice_NO {x}", "{x}", "Hei, {x} her. Hvor blir det av svaret?", "Se {x} – håper det holder",
                 "har sendt inn skjemaet med {x} to ganger nå 😤", "Info: {x}"],
        "two": ["Fødselsnummer {id}, tlf {phone}. Hilsen Kari", "Ring {phone} eller send til {email}"],
    },
    "nn": {
        "id": ["Fødselsnummeret mitt er {x}, kan de sjå på saka?", "Eg oppgav fnr {x} i skjemaet",
               "Her er personnummeret: {x}", "{x} er fødselsnummeret mitt, eg ventar framleis på svar"],
        "d": ["Eg har d-nummer {x} sidan eg ikkje har fødselsnummer"],
        "phone": ["Kan de ringje meg på {x}?", "Eg er å nå på telefon {x} heile dagen",
                  "Send ei melding til mobilen min, {x}", "tlf {x}"],
        "card": ["Kortet mitt {x} vart trekt to gonger", "Eg betalte med kortnummer {x}"],
        "iban": ["Pengane kan setjast inn på kontoen {x}", "IBAN: {x}"],
        "email": ["Eg har ikkje fått e-post på {x}", "Skriv til meg på {x}"],
        "bare": ["@NorskTeleSupport {x}", "{x}", "Hei, {x} her, kvifor har eg ikkje fått svar?", "Sjå {x}"],
        "two": ["Fødselsnummer {id} og telefon {phone}", "Eg heiter Ola, {phone}, {email}"],
    },
    "da": {
        "id": ["Mit CPR-nummer er {x}, kan I finde min sag?", "cpr nr {x} – jeg venter stadig på svar",
               "I bad om mit personnummer: {x}", "CPR: {x}", "Her er mit cpr {x} så I kan slå mig op"],
        "phone": ["Ring til mig på {x}, tak", "Mit mobilnummer er {x}", "I kan fange mig på tlf. {x} efter kl 15",
                  "send en sms til {x}", "Telefon {x}"],
        "card": ["I har trukket mit kort {x} to gange!", "Jeg betalte med mit visakort {x}",
                 "Kortnummer {x} er blevet spærret"],
        "iban": ["Pengene kan overføres til {x}", "Min IBAN er {x}"],
        "email": ["Send kvitteringen til {x}", "min mail er {x}", "Jeg har ikke fået noget på {x}"],
        "bare": ["@Kundeservice_DK {x}", "{x}", "Hej, det er {x}. Hvornår svarer I?", "Se venligst {x}",
                 "Oplysninger: {x}"],
        "two": ["CPR {id}, telefon {phone}", "Ring {phone} eller skriv til {email}"],
    },
    "sv": {
        "id": ["Mitt personnummer är {x}, kan ni kolla ärendet?", "pnr {x} – har fortfarande inte fått svar",
               "Ni bad om personnummer: {x}", "Här är mitt personnr {x}", "{x} är mitt personnummer",
               "Jag uppgav personnummer {x} vid köpet"],
        "samordning": ["Mitt samordningsnummer är {x}", "Jag har samordningsnummer {x} eftersom jag bor i Norge"],
        "phone": ["Ring mig på {x} tack", "Mitt mobilnummer är {x}", "Ni når mig på telefon {x} efter lunch",
                  "skicka sms till {x}", "Tel: {x}"],
        "card": ["Ni har dragit pengar två gånger från mitt kort {x}", "Betalade med kortnummer {x}",
                 "Mitt Mastercard {x} är spärrat nu"],
        "iban": ["Sätt in pengarna på {x}", "IBAN: {x}"],
        "email": ["Skicka kvittot till {x}", "min mejl är {x}", "Inget mejl har kommit till {x}"],
        "bare": ["@Telia_Sverige {x}", "{x}", "Hej, {x} här. När får jag svar?", "Se {x}", "Uppgifter: {x}"],
        "two": ["Personnummer {id}, telefon {phone}", "Ring {phone} eller mejla {email}"],
    },
    "fi": {
        "id": ["Henkilötunnukseni on {x}, voitteko tarkistaa asian?", "hetu {x} – en ole vieläkään saanut vastausta",
               "Pyysitte henkilötunnusta: {x}", "Sotu: {x}", "{x} on henkilötunnukseni"],
        "phone": ["Soittakaa minulle numeroon {x}", "Puhelinnumeroni on {x}", "puh. {x}",
                  "Tavoitatte minut numerosta {x} iltapäivällä", "Lähettäkää tekstiviesti numeroon {x}"],
        "card": ["Veloititte korttiani {x} kahdesti!", "Maksoin luottokortilla {x}", "Korttinumero {x} on suljettu"],
        "iban": ["Palautus tilille {x}", "IBAN: {x}", "Tilinumeroni on {x}"],
        "email": ["Lähettäkää kuitti osoitteeseen {x}", "sähköpostini on {x}",
                  "En ole saanut viestiä osoitteeseen {x}"],
        "bare": ["@ElisaSuomi {x}", "{x}", "Moi, {x} täällä. Milloin saan vastauksen?", "Katso {x}", "Tiedot: {x}"],
        "two": ["Hetu {id}, puhelin {phone}", "Soita {phone} tai kirjoita {email}"],
    },
    "nl": {
        "id": ["Mijn BSN is {x}, kunt u mijn dossier bekijken?", "burgerservicenummer {x} – nog steeds geen reactie",
               "U vroeg om mijn bsn: {x}", "BSN: {x}", "{x} is mijn burgerservicenummer"],
        "phone": ["Bel me terug op {x}", "Mijn telefoonnummer is {x}", "Ik ben bereikbaar op {x} na vijven",
                  "stuur een sms naar {x}", "Tel: {x}", "Mijn mobiel: {x}"],
        "card": ["Jullie hebben mijn creditcard {x} twee keer belast!", "Betaald met kaartnummer {x}",
                 "Mijn Visa {x} is geblokkeerd"],
        "iban": ["Stort het bedrag terug op {x}", "IBAN: {x}", "Mijn rekening is {x}"],
        "email": ["Stuur de bevestiging naar {x}", "mijn mail is {x}", "Ik heb niets ontvangen op {x}"],
        "bare": ["@KPNwebcare {x}", "{x}", "Hoi, {x} hier. Wanneer krijg ik antwoord?", "Zie {x}", "Gegevens: {x}"],
        "two": ["BSN {id}, telefoon {phone}", "Bel {phone} of mail {email}"],
    },
    "de": {
        "id": ["Meine Steuer-ID ist {x}, bitte prüfen Sie das",
               "Steuer-Identifikationsnummer {x} – keine Antwort bisher",
               "Sie wollten meine Steuer-ID: {x}", "{x} ist meine Steuer-ID"],
        "phone": ["Rufen Sie mich bitte unter {x} an", "Meine Handynummer ist {x}", "Tel. {x}",
                  "Ich bin unter {x} erreichbar", "Festnetz: {x}", "bitte Rückruf an {x}"],
        "card": ["Sie haben meine Kreditkarte {x} doppelt belastet!", "Bezahlt mit Karte {x}",
                 "Kartennummer {x} wurde gesperrt"],
        "iban": ["Bitte erstatten Sie den Betrag auf {x}", "IBAN: {x}", "Meine Bankverbindung: {x}"],
        "email": ["Schicken Sie die Bestätigung an {x}", "meine Mail ist {x}", "Bei {x} ist nichts angekommen"],
        "bare": ["@TelekomHilft {x}", "{x}", "Hallo, hier {x}. Wann bekomme ich eine Antwort?", "Siehe {x}",
                 "Daten: {x}"],
        "two": ["Steuer-ID {id}, Telefon {phone}", "Rufen Sie {phone} an oder schreiben Sie an {email}"],
    },
    "en": {
        "id": ["My personal number is {x}, can you look me up?", "ID number {x} – still waiting for a reply",
               "You asked for my national ID: {x}", "{x} is my personal identity number",
               "I gave my personal ID {x} when I signed up"],
        "cpr": ["My CPR number is {x}", "cpr {x}, please check my account"],
        "bsn": ["My BSN is {x}", "citizen service number (BSN) {x}"],
        "fnr": ["my Norwegian fødselsnummer is {x}", "Birth number {x}"],
        "phone": ["Please call me back on {x}", "My phone number is {x}", "You can reach me at {x} after 5pm",
                  "text me at {x}", "Phone: {x}", "mobile {x}"],
        "card": ["You charged my card {x} twice!", "I paid with credit card {x}",
                 "card number {x} has been blocked"],
        "iban": ["Please refund to {x}", "IBAN: {x}", "My account is {x}"],
        "email": ["Send the confirmation to {x}", "my email is {x}", "Nothing has arrived at {x}"],
        "bare": ["@AcmeSupport {x}", "{x}", "Hi, {x} here. When will you reply?", "See {x}", "Details: {x}"],
        "two": ["ID {id}, phone {phone}", "Call {phone} or email {email}"],
    },
}

_HOME_ID = {"nb": ["no.fodselsnummer"], "nn": ["no.fodselsnummer"], "da": ["dk.cpr"], "sv": ["se.personnummer"],
            "fi": ["fi.hetu"], "nl": ["nl.bsn"], "de": ["de.idnr"],
            "en": ["no.fodselsnummer", "se.personnummer", "fi.hetu"]}
_HOME_REGION = {"nb": "NO", "nn": "NO", "da": "DK", "sv": "SE", "fi": "FI", "nl": "NL", "de": "DE"}
_STRONG_BARE = ["no.fodselsnummer", "no.d-nummer", "fi.hetu", "se.personnummer", "dk.cpr"]

# Negatives: {order}, {date}, … are filled by _NEGATIVE_FILL.
N: dict[str, list[str]] = {
    "nb": ["Ordre {order} er ikke levert ennå", "Hvor er pakken? Sporingsnummer {tracking}",
           "Bestilte {date} og har fortsatt ikke fått noe", "Leveringen var lovet {date} kl {time}",
           "Jeg betalte {price} for dette?!", "Kundenummer {customer}, vil si opp abonnementet",
           "Appen krasjer etter oppdatering til versjon {version}", "Flyet {flight} ble kansellert",
           "Sendes til {postcode} Oslo", "Fakturanummer {invoice} stemmer ikke med beløpet {price}",
           "Feilen skjedde {timestamp}", "Det står {amount} kroner på regningen", "IMEI {imei} er sperret?",
           "Kvitteringen viser {date} {time}, ref {invoice}", "bestillingsnr {order} – hvor blir den av",
           "Pakke {tracking} har stått stille siden {date}", "gavekort {giftcard} virker ikke"],
    "nn": ["Ordren {order} har ikkje kome", "Sporingsnummeret er {tracking}", "Eg bestilte {date}",
           "Eg betalte {price} og fekk ingenting", "Kundenummeret mitt er {customer}",
           "Appen kræsjar med versjon {version}", "Det kosta {price}", "Fakturaen {invoice} er feil",
           "Pakka {tracking} kom aldri", "Han kom {date} kl. {time}"],
    "da": ["Ordre {order} er ikke kommet", "Hvor er min pakke? Trackingnummer {tracking}",
           "Jeg bestilte {date} og har intet hørt", "Levering lovet {date} kl. {time}",
           "Jeg betalte {price} for det her", "Kundenummer {customer}, jeg vil opsige",
           "Appen crasher efter version {version}", "Fly {flight} blev aflyst", "Sendes til {postcode} København",
           "Faktura {invoice} passer ikke med {price}", "Fejlen skete {timestamp}", "IMEI {imei} er spærret",
           "ordrenr. {order} – hvor bliver den af", "Pakken {tracking} har ikke rykket sig siden {date}"],
    "sv": ["Order {order} har inte kommit", "Var är mitt paket? Spårningsnummer {tracking}",
           "Jag beställde {date} och har inte hört något", "Leverans utlovad {date} kl {time}",
           "Jag betalade {price} för det här", "Kundnummer {customer}, jag vill säga upp",
           "Appen kraschar efter version {version}", "Flyg {flight} ställdes in", "Skickas till {postcode} Stockholm",
           "Faktura {invoice} stämmer inte med {price}", "Felet hände {timestamp}", "IMEI {imei} är spärrat",
           "ordernummer {order} – var är den", "Kollinummer {tracking} har stått still sedan {date}",
           "presentkort {giftcard} fungerar inte"],
    "fi": ["Tilaus {order} ei ole tullut", "Missä pakettini on? Seurantanumero {tracking}",
           "Tilasin {date} enkä ole kuullut mitään", "Toimitus luvattiin {date} klo {time}",
           "Maksoin {price} tästä", "Asiakasnumero {customer}, haluan irtisanoa",
           "Sovellus kaatuu version {version} jälkeen", "Lento {flight} peruttiin",
           "Lähetetään osoitteeseen {postcode} Helsinki",
           "Lasku {invoice} ei täsmää summaan {price}", "Virhe tapahtui {timestamp}", "IMEI {imei} on lukittu",
           "tilausnumero {order} – missä se on", "Lähetys {tracking} ei ole liikkunut {date} jälkeen"],
    "nl": ["Bestelling {order} is niet aangekomen", "Waar is mijn pakket? Track & trace {tracking}",
           "Ik bestelde op {date} en hoor niets", "Levering beloofd op {date} om {time}",
           "Ik betaalde {price} hiervoor", "Klantnummer {customer}, ik wil opzeggen",
           "De app crasht na versie {version}", "Vlucht {flight} is geannuleerd", "Verzenden naar {postcode} Amsterdam",
           "Factuur {invoice} klopt niet met {price}", "De fout gebeurde {timestamp}", "IMEI {imei} is geblokkeerd",
           "bestelnummer {order} – waar blijft het", "Zending {tracking} staat stil sinds {date}",
           "cadeaukaart {giftcard} werkt niet"],
    "de": ["Bestellung {order} ist nicht angekommen", "Wo ist mein Paket? Sendungsnummer {tracking}",
           "Ich habe am {date} bestellt und nichts gehört", "Lieferung versprochen am {date} um {time}",
           "Ich habe {price} bezahlt", "Kundennummer {customer}, ich möchte kündigen",
           "Die App stürzt seit Version {version} ab", "Flug {flight} wurde gestrichen", "Versand an {postcode} Berlin",
           "Rechnung {invoice} passt nicht zu {price}", "Der Fehler trat {timestamp} auf", "IMEI {imei} ist gesperrt",
           "Bestellnummer {order} – wo bleibt sie", "Sendung {tracking} bewegt sich seit {date} nicht",
           "Gutschein {giftcard} funktioniert nicht"],
    "en": ["Order {order} never arrived", "Where is my parcel? Tracking number {tracking}",
           "I ordered on {date} and heard nothing", "Delivery promised for {date} at {time}",
           "I paid {price} for this", "Customer number {customer}, I want to cancel",
           "The app crashes since version {version}", "Flight {flight} was cancelled", "Ship to {postcode} Oslo",
           "Invoice {invoice} does not match {price}", "The error happened at {timestamp}", "IMEI {imei} is blocked",
           "order #{order} – where is it", "Parcel {tracking} has not moved since {date}",
           "gift card {giftcard} does not work", "order #A{order}"],
}


def _digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice(string.digits) for _ in range(n - 1))


def _order(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return _digits(rng, rng.randint(6, 12))
    if r < 0.7:
        return f"{rng.randint(1000, 9999)}-{rng.randint(2019, 2025)}"
    if r < 0.85:
        return _digits(rng, 8, "49")  # looks like a Norwegian mobile number
    return f"{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}"


def _tracking(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.2:
        partial = "00370" + _digits(rng, 14, "0123456789")
        return partial + _luhn_digit(partial)  # SSCC-like, 20 digits
    if r < 0.35:
        return "JJD" + "0" * 2 + _digits(rng, 16, "0123456789")
    if r < 0.5:
        return "1Z" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6)) + _digits(rng, 10)
    if r < 0.62:
        return _digits(rng, 10)  # DHL Express waybill
    if r < 0.74:
        return "7073" + _digits(rng, 13, "0123456789")  # Bring
    if r < 0.86:
        partial = rng.choice("456") + _digits(rng, 14, "0123456789")  # a Luhn-valid 16-digit parcel number
        return partial + _luhn_digit(partial)
    return rng.choice(["CP", "RR", "LX", "UA"]) + _digits(rng, 9) + rng.choice(["NO", "SE", "DK", "FI", "NL", "DE"])


def _date_text(rng: random.Random) -> str:
    d = _date(rng, 2020, 2025)
    return rng.choice([d.isoformat(), f"{d.day:02d}.{d.month:02d}.{d.year}",
                       f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}", f"{d.day}.{d.month}.{d.year}",
                       f"{d.month}/{d.day}/{d.year}", f"{d.day:02d}-{d.month:02d}-{d.year}"])


def _timestamp(rng: random.Random) -> str:
    when = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(seconds=rng.randint(0, 60_000_000))
    return rng.choice([str(int(when.timestamp())), when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       when.strftime("%Y-%m-%d %H:%M:%S"), str(int(when.timestamp() * 1000))])


def _price(rng: random.Random) -> str:
    whole = rng.choice([49, 99, 129, 299, 499, 1299, 2499, 12500, 19999])
    return rng.choice([f"{whole:,}".replace(",", " ") + ",00 kr", f"€{whole}.95",
                       f"{whole:,}".replace(",", ".") + " NOK",
                       f"kr {whole},-", f"{whole} SEK", f"{whole},95 €", f"${whole}.99", f"{whole}:-", f"{whole} euroa",
                       f"{whole} DKK"])


def _imei(rng: random.Random) -> str:
    partial = rng.choice(["35", "86", "49", "01"]) + _digits(rng, 12, "0123456789")
    return partial + _luhn_digit(partial)


def _giftcard(rng: random.Random) -> str:
    partial = rng.choice("4567") + _digits(rng, 14, "0123456789")
    n = partial + _luhn_digit(partial)
    return n if rng.random() < 0.5 else " ".join(n[i:i + 4] for i in range(0, 16, 4))


_NEGATIVE_FILL: dict[str, Callable[[random.Random], str]] = {
    "order": _order, "tracking": _tracking, "date": _date_text, "timestamp": _timestamp, "price": _price,
    "time": lambda r: f"{r.randint(6, 22)}:{r.choice(['00', '15', '30', '45'])}",
    "customer": lambda r: _digits(r, r.randint(6, 10)), "invoice": lambda r: _digits(r, r.randint(6, 11)),
    "version": lambda r: r.choice([f"{r.randint(1, 20)}.{r.randint(0, 12)}.{r.randint(0, 9)}",
                                   f"v{r.randint(1, 5)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
                                   f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(1000, 9999)}"]),
    "flight": lambda r: f"{r.choice(['SK', 'DY', 'KL', 'AY', 'LH', 'D8', 'WF'])}{r.choice(['', ' '])}"
                        f"{r.randint(100, 4999)}",
    "postcode": lambda r: r.choice([f"{r.randint(1, 9999):04d}", f"{r.randint(100, 999)} {r.randint(10, 99)}",
                                    f"{r.randint(10000, 99999)}", f"{r.randint(1000, 9999)} AB"]),
    "amount": lambda r: r.choice([f"{r.randint(1, 99)} {r.randint(100, 999)} {r.randint(100, 999)}",
                                  f"{r.randint(1, 99)}.{r.randint(100, 999)}.{r.randint(100, 999)}",
                                  f"{r.randint(1, 9)} {r.randint(100, 999)}"]),
    "imei": _imei, "giftcard": _giftcard,
}


# --- assembling ----------------------------------------------------------------------------------------------------

def _fill(template: str, values: dict[str, tuple[str, str, str]], language: str, group: str, tag: str) -> Example:
    """Put values (text, type, kind) into the ``{…}`` slots and record their spans."""
    text = ""
    spans = []
    rest = template
    while True:
        i = rest.find("{")
        if i < 0:
            text += rest
            break
        j = rest.index("}", i)
        key = rest[i + 1:j]
        text += rest[:i]
        value, type_, kind = values[key]
        spans.append(GoldSpan(type_, len(text), len(text) + len(value), kind))
        text += value
        rest = rest[j + 1:]
    return Example(text, language, group, tuple(spans), tag)


def _id_value(rng: random.Random, language: str, kind: str, has_context: bool) -> tuple[str, str, bool]:
    value, how, weak = _write_id(rng, kind)
    if kind.startswith("se.") and how == "10 digits" and language == "sv":
        weak = False  # a bare 10-digit personnummer is recognisable in Swedish text
    if has_context:
        weak = False
    return value, how, weak


def generate(seed: int = SEED, per_template: int = 6,
             templates_by_language: dict[str, dict[str, list[str]]] | None = None,
             negatives_by_language: dict[str, list[str]] | None = None) -> Iterator[Example]:
    """The whole corpus, deterministic for a seed: positives, weak identifiers without context, negatives.

    By default from the tuning templates :data:`T` / :data:`N`; pass :data:`T_HELDOUT` / :data:`N_HELDOUT` for the
    held-out ones.
    """
    rng = random.Random(seed)
    all_templates = T if templates_by_language is None else templates_by_language
    all_negatives = N if negatives_by_language is None else negatives_by_language
    for language in LANGUAGES:
        templates = all_templates[language]
        region = _HOME_REGION.get(language)
        for _ in range(per_template):
            # identity numbers with context
            for template in templates.get("id", []):
                kind = rng.choice(_HOME_ID[language])
                value, how, weak = _id_value(rng, language, kind, True)
                yield _fill(template, {"x": (value, "NATIONAL_ID", kind)}, language, "positive", f"id {how}")
            for key, kind in (("d", "no.d-nummer"), ("samordning", "se.samordningsnummer"), ("cpr", "dk.cpr"),
                              ("bsn", "nl.bsn"), ("fnr", "no.fodselsnummer")):
                for template in templates.get(key, []):
                    value, how, _ = _id_value(rng, language, kind, True)
                    yield _fill(template, {"x": (value, "NATIONAL_ID", kind)}, language, "positive", f"id {how}")
            # phones with context: home region mostly, sometimes a neighbour's
            for template in templates.get("phone", []):
                r = region if region and rng.random() < 0.75 else rng.choice(list(_CC))
                value, how = phone(rng, r)
                yield _fill(template, {"x": (value, "PHONE", f"phone.{r.lower()}")}, language, "positive",
                            f"phone {how}")
            for template in templates.get("card", []):
                value, brand = _write_card(rng)
                yield _fill(template, {"x": (value, "CARD", f"card.{brand}")}, language, "positive", "card")
            for template in templates.get("iban", []):
                value, kind = _write_iban(rng)
                yield _fill(template, {"x": (value, "IBAN", kind)}, language, "positive", "iban")
            for template in templates.get("email", []):
                yield _fill(template, {"x": (email(rng), "EMAIL", "email")}, language, "positive", "email")
            # no context word at all
            for template in templates.get("bare", []):
                choice = rng.random()
                if choice < 0.4:
                    kind = rng.choice(_STRONG_BARE + _HOME_ID[language])
                    value, how, weak = _id_value(rng, language, kind, False)
                    group = "weak_bare" if weak else "positive"
                    yield _fill(template, {"x": (value, "NATIONAL_ID", kind)}, language, group, f"bare id {how}")
                elif choice < 0.65:
                    r = region if region else rng.choice(list(_CC))
                    value, how = phone(rng, r)
                    yield _fill(template, {"x": (value, "PHONE", f"phone.{r.lower()}")}, language, "positive",
                                f"bare phone {how}")
                elif choice < 0.75:
                    value, brand = _write_card(rng)
                    yield _fill(template, {"x": (value, "CARD", f"card.{brand}")}, language, "positive", "bare card")
                elif choice < 0.87:
                    value, kind = _write_iban(rng)
                    yield _fill(template, {"x": (value, "IBAN", kind)}, language, "positive", "bare iban")
                else:
                    yield _fill(template, {"x": (email(rng), "EMAIL", "email")}, language, "positive", "bare email")
            for template in templates.get("two", []):
                kind = rng.choice(_HOME_ID[language])
                value, how, _ = _id_value(rng, language, kind, True)
                r = region if region else rng.choice(list(_CC))
                phone_value, _ = phone(rng, r)
                values = {"id": (value, "NATIONAL_ID", kind), "phone": (phone_value, "PHONE", f"phone.{r.lower()}"),
                          "email": (email(rng), "EMAIL", "email")}
                yield _fill(template, values, language, "positive", "two")
        for _ in range(per_template * 2):
            for template in all_negatives[language]:
                values = {}
                for key in _NEGATIVE_FILL:
                    if "{" + key + "}" in template:
                        values[key] = (_NEGATIVE_FILL[key](rng), "", "")
                example = _fill(template, values, language, "negative", template.split("{")[1].split("}")[0])
                yield Example(example.text, language, "negative", (), example.tag)


# --- held-out templates --------------------------------------------------------------------------------------------
# Written after the detector was tuned on T and N above and scored once, to give an estimate on phrasings the rules
# were not adjusted to (docs/quality.md says which figures come from which).

T_HELDOUT: dict[str, dict[str, list[str]]] = {
    "nb": {"id": ["Trenger dere fødselsnummeret? Det er {x}.", "hei, jeg heter Per og mitt fnr. er {x}",
                  "Skattemeldingen viser feil person! Mitt nr (fødselsnummer): {x}"],
           "phone": ["Får ikke SMS-koden på {x}, hva gjør jeg?", "Jeg er tilgjengelig på telefon: {x}",
                     "{x} er nummeret mitt, ring når dere kan"],
           "card": ["Hvorfor er {x} (kortet mitt) sperret?", "trekk heller fra bankkortet {x}"],
           "iban": ["Kontonummer for tilbakebetaling: {x}", "Overfør til IBAN {x} så er vi skuls"],
           "email": ["Har byttet e-post til {x}, oppdater profilen", "({x})"],
           "bare": ["Oi! {x} – se på dette da", "{x} 👈 dette", "sjekk {x} asap"]},
    "nn": {"id": ["Kva gjer de med fødselsnummeret mitt {x}?", "fnr: {x} (Ola)"],
           "phone": ["Ring meg på {x} når de har tid", "Telefonen min er {x}"],
           "card": ["De trekte kortet {x} utan lov"], "iban": ["Betal attende til {x}"],
           "email": ["E-posten er {x}"], "bare": ["Sjå her: {x}", "{x}!!"]},
    "da": {"id": ["Hvorfor står mit CPR {x} forkert i systemet?", "cpr-nummer: {x} (Jens)"],
           "phone": ["Jeg kan træffes på {x} hele dagen", "Hvorfor ringer I ikke tilbage? {x}"],
           "card": ["Betalingskortet {x} er trukket 2 gange"], "iban": ["Tilbagebetal til kontoen {x}"],
           "email": ["Ny mail: {x}"], "bare": ["Se lige {x}", "{x} ??"]},
    "sv": {"id": ["Varför står mitt personnummer {x} fel?", "pers.nr: {x} (Anna)", "{x} = mitt personnr"],
           "phone": ["Jag nås på {x} hela dagen", "Varför ringer ni inte tillbaka? Nr {x}"],
           "card": ["Mitt bankkort {x} har dragits två gånger"], "iban": ["Återbetala till kontot {x}"],
           "email": ["Ny mejladress: {x}"], "bare": ["Kolla {x}", "{x} ??"]},
    "fi": {"id": ["Miksi henkilötunnukseni {x} on väärin?", "hetu: {x} (Matti)"],
           "phone": ["Minut tavoittaa numerosta {x} koko päivän", "Miksi ette soita takaisin? {x}"],
           "card": ["Pankkikorttini {x} veloitettiin kahdesti"], "iban": ["Palauta tilille {x}"],
           "email": ["Uusi sähköposti: {x}"], "bare": ["Katso {x}", "{x} ??"]},
    "nl": {"id": ["Waarom staat mijn BSN {x} verkeerd?", "bsn: {x} (Sanne)"],
           "phone": ["Ik ben de hele dag bereikbaar op {x}", "Waarom bellen jullie niet terug? {x}"],
           "card": ["Mijn bankpas {x} is twee keer belast"], "iban": ["Terugbetalen op rekening {x}"],
           "email": ["Nieuw mailadres: {x}"], "bare": ["Kijk {x}", "{x} ??"]},
    "de": {"id": ["Warum ist meine Steuer-ID {x} falsch hinterlegt?", "Steuer-ID: {x} (Jürgen)"],
           "phone": ["Ich bin den ganzen Tag unter {x} erreichbar", "Warum rufen Sie nicht zurück? {x}"],
           "card": ["Meine Kreditkarte {x} wurde zweimal belastet"], "iban": ["Bitte zurück auf Konto {x}"],
           "email": ["Neue Mailadresse: {x}"], "bare": ["Schauen Sie: {x}", "{x} ??"]},
    "en": {"id": ["Why is my personal ID {x} wrong in your system?", "ID number: {x} (Tom)"],
           "phone": ["I'm reachable all day at {x}", "Why don't you call back? {x}"],
           "card": ["My debit card {x} was charged twice"], "iban": ["Pay it back to account {x}"],
           "email": ["New email address: {x}"], "bare": ["Look: {x}", "{x} ??"]},
}

N_HELDOUT: dict[str, list[str]] = {
    "nb": ["Hei, ordrenr. {order} fra {date} mangler fortsatt 😡", "kostet {price}, fikk aldri varen",
           "Sporing sier levert {timestamp}, men ingenting her", "Versjon {version} av appen er ubrukelig",
           "{date} kl {time} ringte jeg, ingen svar"],
    "nn": ["Ordre {order} frå {date} manglar", "Det kosta {price}", "Versjon {version} er ubrukeleg"],
    "da": ["Ordre {order} fra {date} mangler stadig", "kostede {price}, fik aldrig varen",
           "Version {version} af appen virker ikke"],
    "sv": ["Order {order} från {date} saknas fortfarande", "kostade {price}, fick aldrig varan",
           "Version {version} av appen funkar inte"],
    "fi": ["Tilaus {order} päivältä {date} puuttuu yhä", "maksoi {price}, en saanut tuotetta",
           "Sovelluksen versio {version} ei toimi"],
    "nl": ["Bestelling {order} van {date} ontbreekt nog", "kostte {price}, nooit ontvangen",
           "Versie {version} van de app werkt niet"],
    "de": ["Bestellung {order} vom {date} fehlt noch", "kostete {price}, nie bekommen",
           "Version {version} der App geht nicht"],
    "en": ["Order {order} from {date} is still missing", "cost {price}, never got it",
           "Version {version} of the app is broken", "Tracking {tracking} stuck since {date}"],
}
