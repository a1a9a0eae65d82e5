"""Customers who post personal data in a public comment, and the helpers that make those numbers valid.

Why: people do post their national identity number, bank account or phone number under a brand's public post when
they are frustrated ("my fødselsnummer is ..., just fix it"). A desk must spot it at once, hide the comment and move
the conversation to a private channel; these tickets are priority 1 and labelled ``personal-data``. For the demo to
test a real detector, the numbers pass their checksums (mod 11, Luhn, mod 31, mod 97), so they are computed here from a
birth date and a serial rather than typed in. They are invented for the demo; the birth dates and serials are chosen
by hand and belong to no one we know of.
"""

from __future__ import annotations

from webcare.demo.content.base import Convo, a, c, convo

# --- checksum helpers ---------------------------------------------------------------------------------------------

_FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11_control(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 control digit used in Norway, or None when the serial cannot get one (remainder 10)."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    control = (11 - remainder) % 11
    return None if control == 10 else control


def fodselsnummer(day: int, month: int, year: int, serial_from: int = 0, *, d_number: bool = False) -> str:
    """A Norwegian fødselsnummer (or D-number, day + 40) with valid control digits: the first serial that has them."""
    if 1900 <= year <= 1999:
        serials = range(max(serial_from, 0), 500)
    elif 2000 <= year <= 2039:
        serials = range(max(serial_from, 500), 1000)
    else:
        raise ValueError("year out of range for this demo helper")
    shown_day = day + 40 if d_number else day
    for serial in serials:
        base = f"{shown_day:02d}{month:02d}{year % 100:02d}{serial:03d}"
        first = _mod11_control(base, _FNR_WEIGHTS_1)
        if first is None:
            continue
        second = _mod11_control(base + str(first), _FNR_WEIGHTS_2)
        if second is None:
            continue
        return f"{base}{first}{second}"
    raise ValueError("no valid serial")


def cpr(day: int, month: int, year: int, serial_from: int = 0) -> str:
    """A Danish CPR number ``DDMMYY-SSSS`` whose ten digits pass the classic modulus-11 test."""
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    for serial in range(serial_from, 4000):  # first digit 0-3: born 1900-1999
        digits = f"{day:02d}{month:02d}{year % 100:02d}{serial:04d}"
        if sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0:
            return f"{digits[:6]}-{digits[6:]}"
    raise ValueError("no valid serial")


def luhn_digit(digits: str) -> int:
    """The Luhn check digit for ``digits`` (as used by Swedish personnummer and payment cards)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def personnummer(day: int, month: int, year: int, serial: int) -> str:
    """A Swedish personnummer ``YYYYMMDD-NNNC`` with a valid Luhn digit (computed over YYMMDDNNN)."""
    short = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    return f"{year}{month:02d}{day:02d}-{serial:03d}{luhn_digit(short)}"


def henkilotunnus(day: int, month: int, year: int, serial: int) -> str:
    """A Finnish henkilötunnus ``DDMMYY-NNNC`` (born in the 1900s) with its mod-31 control character."""
    digits = f"{day:02d}{month:02d}{year % 100:02d}{serial:03d}"
    control = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(digits) % 31]
    return f"{digits[:6]}-{digits[6:]}{control}"


def norwegian_account(bank: str, middle: str, serial: str) -> str:
    """An 11-digit Norwegian bank account number ``BBBB.MM.SSSSC`` with a valid mod-11 control digit.

    The serial is bumped until a control digit exists, so any input gives a valid number.
    """
    number = int(serial)
    while True:
        base = f"{bank}{middle}{number:04d}"
        control = _mod11_control(base, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
        if control is not None:
            return f"{bank}.{middle}.{number:04d}{control}"
        number += 1


def iban(country: str, bban: str) -> str:
    """An IBAN for ``country`` and the national account ``bban``, with mod-97 check digits, in groups of four."""
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    check = 98 - int(numeric) % 97
    compact = f"{country}{check:02d}{bban}"
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


# --- the identifiers used below -----------------------------------------------------------------------------------

FNR_BOKMAL = fodselsnummer(14, 3, 1986, 214)
FNR_NYNORSK = fodselsnummer(2, 9, 1961, 97)
D_NUMBER = fodselsnummer(23, 7, 1993, 311, d_number=True)
ACCOUNT_NO = norwegian_account("1503", "27", "4418")
IBAN_NO = iban("NO", ACCOUNT_NO.replace(".", ""))
CPR_DK = cpr(9, 11, 1979, 1130)
PERSONNUMMER_SE = personnummer(17, 5, 1990, 478)
HETU_FI = henkilotunnus(28, 2, 1974, 356)
IBAN_NL = iban("NL", "RABO0318224756")
FNR_FRESH = fodselsnummer(30, 6, 1988, 125)

CONVERSATIONS: list[Convo] = [
    # Still unanswered when the demo starts: what an agent meets at the top of the queue, marked and masked.
    convo("nb", "pii-fnr-fresh", "facebook", "public", "pii_in_public", "personal-data billing",
          c(f"Fakturaen er feil IGJEN! Fødselsnummeret mitt er {FNR_FRESH} og mobilen {{phone}}, ring meg i dag"),
          ending="new", priority=1),
    convo("nb", "pii-fnr-login", "facebook", "public", "pii_in_public", "personal-data login",
          c(f"Hvorfor får jeg ikke logget inn på Min side?? Har prøvd i en time. Fødselsnummeret mitt er "
            f"{FNR_BOKMAL}, kan dere bare fikse det"),
          a("Hei {first}! Vi har skjult kommentaren din fordi den inneholdt fødselsnummeret ditt – det bør aldri "
            "deles offentlig. Send oss en privat melding, så hjelper vi deg med innloggingen der. Mvh {agent}"),
          c("oi, takk. sender pm nå"),
          priority=1, notes=["Kommentar med fødselsnummer skjult ca. 10 min etter publisering. Kunden tok det i DM."]),
    convo("nb", "pii-account-refund", "x", "public", "pii_in_public", "personal-data billing",
          c(f"@fjordnett dere skylder meg 450 kr for dobbeltrekk. Sett pengene inn på {ACCOUNT_NO} "
            f"(IBAN {IBAN_NO}) takk"),
          a("Hei! Vi anbefaler at du sletter innlegget, siden det inneholder kontonummeret ditt. Send oss heller en "
            "DM, så ordner vi tilbakebetalingen der ^{agent}"),
          c("slettet, sendt dm"),
          priority=1),
    convo("nn", "pii-fnr-router", "facebook", "public", "pii_in_public", "personal-data order",
          c(f"Kvifor har eg ikkje fått rutaren eg bestilte for tre veker sidan? Adressa mi er Fjellvegen 12, 5700 "
            f"Voss, fødselsnummer {FNR_NYNORSK}, telefon {{phone}}. Sjekk det no!"),
          a("Hei {first}. Me har gøymt kommentaren din, sidan han inneheldt fødselsnummer og adresse. Send oss ei "
            "privat melding, så finn me ut kvar rutaren har blitt av. Helsing {agent}"),
          ending="pending", priority=1,
          notes=["Skjult kommentar: fødselsnummer, adresse og telefon. Venter på DM."]),
    convo("da", "pii-cpr-order", "instagram", "public", "pii_in_public", "personal-data order",
          c(f"Hvorfor kan jeg ikke bestille?? Jeres side siger at mit CPR-nummer er forkert. Det er {CPR_DK} 😡"),
          a("Hej {first}! Vi har skjult din kommentar, fordi den indeholdt dit CPR-nummer. Skriv til os i en "
            "privat besked, så kigger vi på bestillingen sammen. /{agent}"),
          c("ok sorry, skriver nu"),
          priority=1),
    convo("sv", "pii-personnummer", "x", "public", "pii_in_public", "personal-data login",
          c(f"@fjordnett varför funkar inte BankID-inloggningen? Mitt personnummer är {PERSONNUMMER_SE}, kolla vad "
            f"som är fel"),
          a("Hej! Ta gärna bort inlägget, det innehåller ditt personnummer. Skicka oss ett DM så hjälper vi dig med "
            "inloggningen där. /{agent}"),
          c("oj, borttaget. skickar dm"),
          priority=1),
    convo("fi", "pii-hetu", "facebook", "public", "pii_in_public", "personal-data login",
          c(f"En pääse kirjautumaan OmaFjordnettiin. Henkilötunnukseni on {HETU_FI}, tarkistakaa mikä on vialla!"),
          a("Hei {first}! Piilotimme kommenttisi, koska siinä oli henkilötunnuksesi. Lähetä meille yksityisviesti, "
            "niin selvitetään kirjautuminen siellä. Terveisin {agent}"),
          c("Ok, laitoin viestiä"),
          priority=1),
    convo("nl", "pii-iban", "facebook", "public", "pii_in_public", "personal-data billing",
          c(f"Jullie hebben twee keer afgeschreven deze maand!! Mijn IBAN is {IBAN_NL}, zet het geld terug. "
            f"Bel me op {{phone}}"),
          a("Hoi {first}, we hebben je reactie verborgen omdat je IBAN en telefoonnummer erin stonden. Stuur ons een "
            "privébericht, dan zoeken we de dubbele afschrijving meteen uit. Groet, {agent}"),
          c("Oké, gestuurd"),
          priority=1),
    convo("en", "pii-d-number", "x", "public", "pii_in_public", "personal-data order sim",
          c(f"@fjordnett still no SIM card after 2 weeks. My D-number is {D_NUMBER}, phone {{phone}}, email "
            f"{{email}}. CALL ME"),
          a("Hi! Please delete this post, it contains your D-number and contact details. Send us a DM and we'll "
            "track down your SIM card there. ^{agent}"),
          ending="pending", priority=1, market="no"),
]
