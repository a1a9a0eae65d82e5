"""Context words around a number: what the writer says the number *is*, in the eight languages we triage.

Why: several identifiers have weak or no checksums (a Danish CPR has none since 2007 and 3.7 % of random 10-digit
numbers pass its date check; 8.4 % of random 9-digit numbers pass the Dutch BSN 11-check; 10 % of any digit run passes
Luhn). What decides whether ``123456782`` is a BSN or an order number is the word in front of it. So every candidate
looks at the nearest keyword before it (within :data:`BEFORE` characters) or, failing that, after it (within
:data:`AFTER`), and the keyword's category raises or lowers its confidence.

Keywords are matched on the lower-cased text as word *prefixes* (``ordre`` also covers ``ordrenummer``,
``ordren``), so compounds in nb/nn/da/sv/de/nl/fi need no inflection lists; a few short words that begin many
unrelated words (``tel``, ``ring``, ``kort``, ``ref``) only count as whole words or with a listed ending. Categories:

- ``id`` / ``id:xx``: national identity numbers (``xx`` hints the country: ``cpr`` is Danish, ``bsn`` Dutch);
- ``phone``, ``card``: what the number is;
- ``neg``: labels of numbers that are *not* personal data — order, parcel/tracking, customer, invoice, reference,
  product, serial/IMEI, flight, version numbers;
- ``topic``: words about deliveries and carriers ("pakken", "Bring", "DHL") that make a nearby number a parcel
  number only when they are close (:data:`TOPIC_NEAR` characters), since "ring meg om pakken" is about a parcel
  while the number that follows may still be a phone number.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

#: How far (in characters) a keyword before / after a candidate still counts.
BEFORE = 42
AFTER = 26
#: How close a ``topic`` word must be.
TOPIC_NEAR = 16

_ID_WORDS: dict[str, tuple[str, ...]] = {
    "no": ("fødselsnummer", "fødselsnr", "fodselsnummer", "fodselsnr", "fnr", "f.nr", "f-nr", "d-nummer", "d-nr",
           "dnummer", "personidentifikator", "fødselsnumer", "fødsels-nr", "fødselsnum"),
    "dk": ("cpr", "personnummeret", "sygesikring"),
    "se": ("personnummer", "personnumret", "personnr", "pers.nr", "pnr", "p-nr", "person nr", "personummer",
           "samordningsnummer", "samordningsnr", "samordningsnumret", "personbeteckning"),
    "fi": ("hetu", "henkilötunnu", "henkilotunnu", "henkilötunnus", "sotu", "sosiaaliturvatunnu"),
    "nl": ("bsn", "burgerservicenummer", "burgerservicenr", "burger service nummer", "sofinummer", "sofi-nummer",
           "sofi nummer", "persoonsnummer"),
    "de": ("steuer-id", "steuerid", "steuer id", "steuer-identifikationsnummer", "steueridentifikationsnummer",
           "identifikationsnummer", "idnr", "personalausweis", "ausweisnummer", "ausweis-nr", "ausweisnr",
           "sozialversicherungsnummer", "rentenversicherungsnummer"),
    "": ("ssn", "social security", "personal number", "personal identity", "personal id", "personal code",
         "identity number", "identity code", "id code", "id number", "id-nummer", "idnummer", "national id",
         "national identity", "birth number", "civil registration", "id-nr", "id nr"),
}

_PHONE_WORDS = (
    # nb / nn / da / sv
    "telefon", "tlf", "tel", "tfn", "mobil", "mob", "ring", "sms", "nå meg", "nås på", "nåast på", "når meg",
    "nå mig", "kontakt meg", "kontakt mig", "kontakta mig", "whatsapp", "mitt nummer", "mit nummer", "mitt nr",
    "nummeret mitt", "nummeret mit", "numret", "opkald", "samtal", "hringja", "sms-a", "sms:a",
    # fi
    "puhelin", "puh", "soita", "soitt", "numeroon", "numeroni", "numeroni on", "tekstiviesti", "tavoittaa",
    "tavoitat", "kännykkä", "kannykka", "gsm", "matkapuhelin",
    # nl
    "telefoon", "mobiel", "bel", "bellen", "terugbellen", "mijn nummer", "06-nummer", "te bereiken", "bereikbaar",
    # de
    "handy", "anruf", "ruf", "rückruf", "ruckruf", "festnetz", "meine nummer", "erreichbar", "telefonnummer",
    "zurückrufen",
    # en
    "phone", "call", "cell", "text me", "reach me", "my number", "contact me", "landline", "mobile",
)

_CARD_WORDS = (
    "kort", "kreditkort", "betalingskort", "bankkort", "debetkort", "kortnummer", "kortnr", "visa", "mastercard",
    "master card", "amex", "american express", "maestro", "diners", "card", "credit", "debit", "kortti",
    "luottokortti", "korttinumero", "pankkikortti", "kortil", "kortin", "korteilla", "creditcard", "pinpas",
    "bankpas", "kaart", "karte",
    "kreditkarte", "kartennummer", "girocard", "ec-karte", "bankkarte", "betalkort", "kontokort", "dankort",
    "visakort", "visa-kort", "betaalkaart",
)

_NEG_WORDS = (
    # orders and bookings
    "ordre", "order", "bestilling", "beställning", "bestallning", "tilaus", "tilauk", "tilausnumero", "tilausnro",
    "bestelling", "bestelnummer", "bestelnr", "bestellung", "bestellnummer", "bestellnr", "bestell-nr", "auftrag",
    "purchase", "booking", "buchung", "varaus", "varausnumero", "reservation", "reservasjon", "bokning",
    "boeking", "confirmation", "bekreftelse", "bekræftelse", "bekräftelse", "bevestiging", "ordernummer",
    # parcel and tracking numbers
    "sporing", "sporings", "sendingsnummer", "sendingsnr", "kollinummer", "kolli", "spårning", "sparning",
    "spårnings", "försändelse", "forsandelse", "sändningsnummer", "seuranta", "seurantanumero", "lähetystunnus",
    "lähetysnumero", "track", "tracking", "trace", "zendingnummer", "zendingsnummer", "verzendnummer",
    "sendungsnummer", "sendungsnr", "paketnummer", "paketnr", "pakkenummer", "pakkenr", "pakkenummeret",
    "trackingnummer", "tracking-nummer", "waybill", "awb", "shipment", "consignment", "forsendelsesnummer",
    "pakettinumero", "kollinr",
    # customers, members, accounts of ours
    "kundenummer", "kundenr", "kunde nr", "kunde-nr", "kundnummer", "kundnr", "kund nr", "kunden-nr",
    "kundennummer", "kundennr", "asiakasnumero", "asiakasnro", "asiakas nro", "asiakkuusnumero", "klantnummer",
    "klantnr", "klant nr", "customer number", "customer no", "customer id", "customer #", "cust", "medlemsnummer",
    "medlemsnr", "jäsennumero", "jasennumero", "lidmaatschapsnummer", "lidnummer", "mitgliedsnummer",
    "member number", "membership", "abonnementsnummer", "abonnemangsnummer", "subscription", "vertragsnummer",
    "contract", "kontraktsnummer", "avtalenummer", "avtalsnummer", "sopimusnumero", "loyalty", "bonusnummer",
    "stammkunde", "account id", "user id", "bruker-id", "kundeid", "kunde-id", "kund-id", "asiakastunnus",
    "klant-id", "kunden-id",
    # invoices, receipts, references, cases, payments
    "faktura", "lasku", "laskun", "factuur", "rechnung", "invoice", "kvittering", "kvitto", "kuitti", "bon",
    "quittung", "receipt", "referanse", "ref", "referens", "viite", "referentie", "referenz", "reference",
    "aktenzeichen", "sak", "saksnummer", "saksnr", "sagsnummer", "sagsnr", "ärende", "ärendenummer", "arende",
    "tiketti", "ticket", "zaak", "zaaknummer", "dossier", "vorgang", "vorgangsnummer", "case", "tapausnumero",
    "ocr", "kid", "betalingsreferanse", "transaksjon", "transaktion", "transactie", "transaction", "maksu",
    "betalings-id", "payment id", "kassenzeichen",
    # products, devices, serials, codes
    "varenummer", "varenr", "vare nr", "artikkel", "artikkelnummer", "artikel", "artikelnummer", "artikelnr",
    "artnr", "art.nr", "produkt", "produktnummer", "product", "tuote", "tuotenumero", "sku", "ean", "strekkode",
    "stregkode", "streckkod", "viivakoodi", "barcode", "imei", "serie", "serienummer", "serial", "sarjanumero",
    "modell", "model", "malli", "typenummer", "lisens", "license", "licens", "lisenssi", "lizenz", "licentie",
    "gavekort", "presentkort", "lahjakortti", "cadeaukaart", "cadeaubon", "gutschein", "voucher", "gift card",
    "giftcard", "kupong", "kupon", "coupon", "rabattkode", "rabattkod", "kode", "code", "koodi", "pin",
    # travel, versions, addresses, bank routing, errors, times
    "flight", "flyg", "flygnummer", "lento", "lennon", "vlucht", "vluchtnummer", "flug", "flugnummer", "billett",
    "biljett", "lippu", "versjon", "version", "versio", "versie", "build", "firmware", "release", "ip", "port",
    "postnummer", "postnr", "postinumero", "postcode", "plz", "zip", "kontonummer", "kontonr", "account number",
    "rekeningnummer", "tilinumero", "clearingnummer", "clearing", "reg.nr", "registreringsnummer", "bankgiro",
    "plusgiro", "girokonto", "timestamp", "unix", "epoch", "error", "feil", "feilkode", "fel", "felkod", "virhe",
    "virhekoodi", "fout", "foutcode", "fehler", "fehlercode", "fejl", "fejlkode", "isbn", "issn", "doi", "blz",
    "bic", "swift", "sort code", "routing", "bankleitzahl", "org.nr", "orgnr", "org nr", "organisasjonsnummer",
    "cvr", "y-tunnus", "kvk", "ust-id", "mva", "moms", "vat",
)

_TOPIC_WORDS = (
    "pakke", "pakka", "pakken", "pakker", "sending", "sendingen", "forsendelse", "levering", "leveranse", "leverans",
    "paket", "paketet", "sändning", "paketti", "lähetys", "lahetys", "toimitus", "pakket", "pakketje", "zending",
    "levering", "sendung", "lieferung", "parcel", "package", "delivery", "postnord", "dhl", "ups", "gls", "bring",
    "posten", "fedex", "budbee", "instabox", "porterbuddy", "hermes", "dpd", "postnl", "helthjem", "matkahuolto",
    "posti", "fly", "kjøp", "køb", "köp", "kauf", "ostos", "kunde", "kund", "customer", "medlem", "member",
    "abonnement", "abonnemang", "tilaaja", "konto", "account",
)
#: Bare labels ("nr", "id", "#") are topic words too, but take the category of a keyword right before them:
#: "tlf nr 912 34 567" is a phone, "kunde nr 4711" a customer number.
_LABELS = frozenset({"id", "nr", "nr.", "no.", "nº", "n°", "#", "nummer", "numero", "number", "-nr", "-nummer",
                     "code", "kode", "koodi", "no"})
#: What a label means when no keyword stands right before it ("" = nothing).
_LONE_LABEL = {"#": "topic", "id": "id", "code": "neg", "kode": "neg", "koodi": "neg"}

_MONEY_WORDS = ("kr", "nok", "sek", "dkk", "eur", "euro", "euroa", "€", "$", "£", "usd", "gbp", "kroner", "kronor",
                "kronur", "chf", "e")
_MONEY_AFTER = (",-", ":-", ".-")

#: Short keywords that begin many unrelated words count only as whole words or with one of the listed endings.
_ENDINGS: dict[str, tuple[str, ...]] = {
    # phone
    "tel": ("efon",), "mob": ("il",), "ring": ("e", "er", "es", "a", "t", "de", "det", "d", "s", "te", "je", "jer"),
    "bel": ("t", "len", "le"), "ruf": ("e", "en", "t", "nummer"), "puh": ("elin",), "call": ("ed", "ing", "s"),
    "cell": ("phone", "ular"), "sms": ("e", "er", "a"), "gsm": (), "handy": ("nummer", "nr"),
    # card
    "kort": ("et", "nummer", "nr", "numret", "numeret", "ets", "nummeret", "uppgifter", "oplysninger",
             "opplysninger", "info"),
    "visa": ("kort", "kortet", "-kort", "-kortet", "card", "karte", "kaart", "kortti"),
    "kaart": ("nummer", "je", "en"), "karte": ("n", "nnummer"), "card": ("s", "number", "holder"),
    "credit": (" card", "card", "-card"), "debit": (" card", "card", "-card", "kort"), "amex": (),
    # identity
    "cpr": ("-nr", "nr", "-nummer", "nummer", "nummeret"), "bsn": ("-nummer", "nummer", "nr"), "ssn": (),
    "pnr": (), "fnr": (), "sotu": ("ni", "n"), "hetu": ("ni", "n", "a", "ja"), "idnr": (),
    # orders, parcels, records
    "order": ("s", "nr", "nummer", "number", "id", "no", "ed", "nummeret"),
    "ordre": ("n", "r", "nr", "nummer", "nummeret", "id", "s", "ns"),
    "track": ("ing", "ed", "ing-id"), "trace": ("nummer",), "ticket": ("s", "nummer", "nr", "id", "et"),
    "paket": ("et", "nummer", "nr"), "pakke": ("n", "r", "ne", "nummer", "nr"), "pakket": ("je", "nummer"),
    "sending": ("en", "er", "snummer", "snr"), "kjøp": ("et",), "køb": ("et",), "köp": ("et",), "kauf": (),
    "kunde": ("n", "r"), "kund": ("en",), "medlem": ("s", "skap"), "member": ("ship",), "account": (),
    "konto": ("nummer", "nr", "numret", "nummeret"), "lasku": ("n", "a"), "ref": ("erence", "erens", "nr", "nummer"),
    "sak": ("en", "snummer", "snr", "nr"), "case": ("nummer", "number"), "kid": ("nummer", "nr"),
    "bon": ("nummer",), "ocr": ("nummer",), "ups": (), "dhl": (), "gls": (), "dpd": (), "bring": (), "posten": (),
    "posti": (), "fly": ("et", "ene", "nummer"), "lippu": ("numero",), "lento": ("numero",), "flug": ("nummer",),
    # products, versions, codes, companies, banks
    "model": ("l", "number", "nummer", "nr"), "modell": ("nummer", "nr", "en", "et"), "build": ("s",),
    "serie": ("nummer", "nr", "numret", "nummeret"), "artikel": ("nummer", "nr"),
    "produkt": ("nummer", "nr", "id", "et", "en"), "product": ("s", "id", "number", "nummer"),
    "tuote": ("numero", "koodi"), "ean": ("-kode", "kode", "code"), "sku": (), "release": (), "firmware": (),
    "version": ("s",), "error": ("s",), "feil": ("kode", "melding"), "fejl": ("kode", "meddelelse"),
    "fel": ("kod", "kode"), "virhe": ("koodi",), "fout": ("code",), "fehler": ("code", "nummer"),
    "pin": ("kode", "code", "koodi"), "kode": ("n",), "code": (), "koodi": (), "ip": (), "port": (), "zip": (),
    "plz": (), "cust": ("omer",), "blz": (), "bic": (), "cvr": ("-nr", "nr", "-nummer", "nummer"),
    "kvk": ("-nummer", "nummer"), "mva": (), "vat": (), "moms": ("nr", "nummer", "-nr"), "doi": (), "isbn": (),
    "issn": (),
    # labels
    "id": (), "nr": (), "nummer": ("et",), "numero": (), "number": (), "no": (),
}


def _build() -> tuple[re.Pattern[str], dict[str, str]]:
    words: dict[str, str] = {}
    for word in _TOPIC_WORDS:
        words[word] = "topic"
    for word in _NEG_WORDS:
        words[word] = "neg"
    for word in _CARD_WORDS:
        words[word] = "card"
    for word in _PHONE_WORDS:
        words[word] = "phone"
    for country, group in _ID_WORDS.items():
        for word in group:
            words[word] = f"id:{country}" if country else "id"
    for word in _LABELS:
        words[word] = "label"
    keys = sorted(words, key=len, reverse=True)  # longest first: "ordrenummer" is one keyword, not "ordre" + rest
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(k) for k in keys) + ")"), words


_KEYWORDS, _CATEGORY = _build()
_NUMBER = re.compile(r"\d{3}")
_LABELS_NUMBER = re.compile(r"[\s:.#\-–]{0,4}[+(]?\d")


@dataclass(frozen=True, slots=True)
class Keyword:
    start: int
    end: int
    category: str  # "id", "id:no", …, "phone", "card", "neg", "topic" ("label" is resolved while finding)


def find_keywords(lower: str) -> list[Keyword]:
    """All context keywords in the lower-cased text, in order of position."""
    found: list[Keyword] = []
    pos = 0
    while True:
        m = _KEYWORDS.search(lower, pos)
        if m is None:
            return found
        word = m.group(0)
        end = m.end()
        pos = m.start() + 1
        endings = _ENDINGS.get(word)
        if endings is not None and end < len(lower) and lower[end].isalpha():
            rest = lower[end:end + 14]
            ending = next((e for e in endings if rest.startswith(e)
                           and not rest[len(e):len(e) + 1].isalpha()), None)
            if ending is None:
                continue
            end += len(ending)
        category = _CATEGORY[word]
        if category == "label":
            # "tlf nr", "kunde-nr", "ordre #": the word before names what the number is.
            if found and found[-1].end >= m.start() - 3:
                found[-1] = Keyword(found[-1].start, end, found[-1].category)
                pos = end
                continue
            category = _LONE_LABEL.get(word, "")  # alone, "nr"/"number" says nothing; "#12345" is an order
            if not category:
                pos = end
                continue
        found.append(Keyword(m.start(), end, category))
        pos = end


class Context:
    """Keywords of one text, looked up by position. Built lazily: most texts never need it."""

    __slots__ = ("_ends", "_keywords", "_starts", "lower")

    def __init__(self, text: str) -> None:
        lower = text.lower()
        if len(lower) != len(text):  # "İ" lower-cases to two characters: keep positions aligned with the text
            lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.lower = lower
        self._keywords = find_keywords(self.lower)
        self._ends = [k.end for k in self._keywords]
        self._starts = [k.start for k in self._keywords]

    def nearest(self, start: int, end: int) -> str:
        """Category of the keyword nearest before ``start`` (else after ``end``), "" if none is close enough.

        A keyword *before* wins over one after: people write "fnr 12345678901" more than "12345678901 is my fnr".
        A keyword only describes the number next to it: one with another number between it and the candidate
        ("fnr 26111593816, 91234567"), or one after the candidate that is followed by its own number ("ID
        5709178981, phone 0720612973"), is not about this candidate. A ``topic`` word counts only within
        :data:`TOPIC_NEAR` characters; farther away it is skipped.
        """
        lower = self.lower
        i = bisect.bisect_right(self._ends, start) - 1
        while i >= 0 and start - self._ends[i] <= BEFORE:
            keyword = self._keywords[i]
            if _NUMBER.search(lower, keyword.end, start):
                break
            if keyword.category != "topic" or start - keyword.end <= TOPIC_NEAR:
                return keyword.category
            i -= 1
        j = bisect.bisect_left(self._starts, end)
        while j < len(self._keywords) and self._starts[j] - end <= AFTER:
            keyword = self._keywords[j]
            if _NUMBER.search(lower, end, keyword.start):
                break
            if _LABELS_NUMBER.match(lower, keyword.end):
                j += 1
                continue
            if keyword.category != "topic" or keyword.start - end <= TOPIC_NEAR:
                # "…4081930943272965 to gange for den samme ordre": an order word *after* a number is more often
                # about the conversation than a label of that number, so it only counts half (marked "~").
                return keyword.category + "~" if keyword.category in ("neg", "topic") else keyword.category
            j += 1
        return ""

    def keyword_ends_at(self, position: int, category: str) -> bool:
        """A keyword of ``category`` ends right at ``position`` ("tlf91234567": the number is glued to it)."""
        i = bisect.bisect_left(self._ends, position)
        return i < len(self._ends) and self._ends[i] == position and self._keywords[i].category == category

    def money_near(self, start: int, end: int) -> bool:
        """A currency word or sign directly next to the number: an amount, not an identifier."""
        before = self.lower[max(0, start - 6):start].rstrip()
        if before and any(before.endswith(w) and not before[-len(w) - 1:-len(w)].isalpha() for w in _MONEY_WORDS):
            return True
        after = self.lower[end:end + 7].lstrip()
        return any(after.startswith(w) and not after[len(w):len(w) + 1].isalpha()
                   for w in (*_MONEY_WORDS, *_MONEY_AFTER))
