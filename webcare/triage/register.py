"""Formal or informal address (T/V), so a reply can answer in the customer's register.

Why rules: the evidence is a closed set of pronouns and verb endings per language (De/Dem/Deres vs du/deg/din,
ni vs du, te/-tte vs sinä/-t, u/uw vs je/jij, Sie/Ihnen vs du/ihr), and the hard parts are about *position* and
*case* ("De" mid-sentence is formal, at the start of a sentence it may be "they"), which a bag-of-words model cannot
see. One regular expression per language finds the candidate words; a few lines of code weigh each one.

Decisions (documented for the reply drafting, which falls back to a per-language default on "unknown"):
- "unknown" for English and every language without the distinction, for an unknown language (""), and for a
  message with no evidence either way ("Internet is down", "Takk for hjelpen!").
- Plural "you" where the language has a separate polite form counts as **informal**: Norwegian dere, nynorsk
  de/dykk (lower case), Danish I/jer/jeres, Dutch jullie, German ihr/euch/euer — they are the plural of du/je.
- Where the polite form *is* the plural (Swedish ni/er, Finnish te/-tte), it counts as **formal**.
- Quoted text ("…", “…”, „…“, «…») is not the customer's own voice and is ignored.
- Mixed messages: evidence is weighed (weak cues count half); a tie goes to the last piece of evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FORMAL = "formal"
INFORMAL = "informal"
UNKNOWN = "unknown"
#: The start of a long message is enough to hear its register, and keeps the detector within its time budget.
MAX_CHARS = 1_000

_QUOTED = re.compile(r'"[^"\n]{0,300}"|“[^”\n]{0,300}”|„[^“”\n]{0,300}[“”]|«[^»\n]{0,300}»|»[^«\n]{0,300}«')
_HANDLE = re.compile(r"[@#]\w+|https?://\S+|www\.\S+")
_SENTENCE_END = ".!?:;…\n"

Evidence = tuple[float, int]  # weight (+ formal, − informal), position


def _initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence (so its capital letter says nothing)."""
    before = text[:start].rstrip()
    return not before or before[-1] in _SENTENCE_END or before[-1] in "\"'“„«»(-–—" or not (
        before[-1].isalnum() or before[-1] in ",")


def _next_word(text: str, end: int) -> str:
    m = _WORD.match(text, end)
    return m.group(1) if m else ""


def _prev_word(text: str, start: int) -> str:
    m = _PREV.search(text, 0, start)
    return m.group(1) if m else ""


_WORD = re.compile(r"\s+(\w+)")
_PREV = re.compile(r"(\w+)\s+$")


def _scandinavian(word: str, text: str, start: int, end: int, lang: str) -> float:
    """nb, nn, da: capital De/Dem/Deres (nn also Dykk/Dykkar) mid-sentence are polite; du/deg/dig/din informal."""
    low = word.lower()
    if low in ("du", "deg", "dig", "din", "ditt", "dit", "dine"):
        return -1.0
    if low in ("dere", "jer", "jeres", "dykk", "dykkar", "dokker", "dokkar"):
        if word[0] == "D" and lang == "nn" and low in ("dykk", "dykkar"):
            return 0.0 if _initial(text, start) else 1.0  # nynorsk polite Dykk/Dykkar, capitalised
        return -1.0
    if low == "deres":  # nb/da: polite "Deres", plural "deres" (your, plural) — or "their"
        if word == "Deres":
            return 0.0 if _initial(text, start) else 1.0
        return -0.5
    if low in ("de", "dem"):
        if word in ("De", "Dem") and not _initial(text, start):
            return 1.0
        if lang == "nn" and word == "de":  # nynorsk "de" is you (plural); "they" is "dei"
            return -0.5
        return 0.0
    if low == "i" and lang == "da" and word == "I":  # Danish "I" = you (plural); sentence-initial "I dag" = in
        if not _initial(text, start):
            return -1.0
        return -1.0 if _next_word(text, end).lower() in _DA_VERBS else 0.0
    return 0.0


_DA_VERBS = frozenset("har er kan skal må vil bør skulle burde kunne sender lover svarer gør tager siger mangler "
                      "lukker åbner leverer tilbyder ved havde var fik".split())


def _swedish(word: str, text: str, start: int, end: int, lang: str) -> float:
    """sv: ni/er/era/ert polite (also plural), du/dig/din informal."""
    low = word.lower()
    if low in ("du", "dig", "din", "ditt", "dina"):
        return -1.0
    if low in ("ni", "er", "era", "ert", "eran", "erat"):
        return 1.0
    return 0.0


_FI_INFORMAL = frozenset("sinä sä sinun sun sinulle sulle sinua sua sinulta sulta sinulla sulla sinusta susta sinuun "
                         "olet voit voisit pystyt tiedät teit lähetit lupasit sanoit tarkoitat annoit vastasit autat "
                         "haluat osaat et".split())
_FI_FORMAL = frozenset("te teidän teille teitä teiltä teillä teistä teihin ette olette voitte voisitte".split())
_FI_NOT_NNE = frozenset("tänne sinne minne tuonne jonne kanne penne anne".split())
_FI_NOT_KAA = frozenset(("matkaa", "jatkaa", "alkaa", "takaa", "vakaa", "jakaa", "aloittaa"))


def _finnish(word: str, text: str, start: int, end: int, lang: str) -> float:
    """fi: te/teidän, -tte(ko) verbs, -kaa imperatives and -nne possessives polite; sinä/sä, -t(ko) verbs informal."""
    low = word.lower()
    if low in _FI_FORMAL:
        return 1.0
    if low in _FI_INFORMAL:
        return -1.0
    if low.endswith(("tteko", "ttekö", "tte")) and len(low) > 5:
        return 1.0
    if low.endswith(("tko", "tkö")) and len(low) > 4 and not low.endswith(("jatko", "katko")):
        return -1.0
    if low.endswith(("kaa", "kää")) and len(low) > 6 and low not in _FI_NOT_KAA and not low.endswith("matkaa"):
        return 0.5  # imperative plural (korjatkaa, soittakaa): polite or plural
    if low.endswith("nne") and len(low) > 6 and low not in _FI_NOT_NNE:
        return 1.0  # possessive "your" (tilauksenne, asiakaspalvelunne)
    if low in ("mä", "mun", "mulle", "mulla", "multa"):
        return -0.5  # spoken-style "I/my": people who write it say "sä" to you
    return 0.0


def _dutch(word: str, text: str, start: int, end: int, lang: str) -> float:
    """nl: u/uw polite, je/jij/jou/jouw/jullie informal ("24 u" is hours, not you)."""
    low = word.lower()
    if low in ("u", "uw", "uwe"):
        before = text[:start].rstrip()
        if low == "u" and before[-1:].isdigit():
            return 0.0
        return 1.0
    if low in ("je", "jij", "jou", "jouw", "jullie"):
        return -1.0
    if low in ("geachte",):
        return 1.0
    return 0.0


_DE_PLURAL_VERB = frozenset("haben sind können müssen sollten werden wollen dürfen hätten wären würden könnten "
                            "bekommen erhalten schicken senden liefern sagten schrieben".split())


def _german(word: str, text: str, start: int, end: int, lang: str) -> float:
    """de: capital Sie/Ihnen/Ihr… mid-sentence polite; du/dich/dir/dein…, ihr/euch/euer… informal.

    At the start of a sentence "Sie" may be "she"/"they": with a plural verb after it ("Sie haben") it is weak
    polite evidence, with a singular one ("Sie hat") none. A capital "Ihr" at the start followed by a verb in -t
    ("Ihr habt") is the informal plural; followed by a noun ("Ihr Techniker") it is the polite "your".
    """
    low = word.lower()
    if low in ("du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "deines", "euch", "euer", "eure",
               "euren", "eurem", "eurer", "eures"):
        return -1.0
    initial = _initial(text, start)
    if low in ("sie", "ihnen"):
        if word[0] == "S" or word[0] == "I":
            if not initial:
                return 1.0
            return 0.5 if low == "ihnen" or _next_word(text, end).lower() in _DE_PLURAL_VERB else 0.0
        # lower case: she/they/them — unless the whole message is lower case ("können sie mir helfen")
        if text == text.lower() and _prev_word(text, start).endswith("en"):
            return 0.5
        return 0.0
    if low == "ihr":
        after = _next_word(text, end)
        before = _prev_word(text, start)
        if (after.endswith("t") and not after.startswith("ge") and after.islower()) or (
                before.lower().endswith("t") and not before.lower().startswith("ge")):
            return -1.0  # ihr habt / habt ihr: informal plural
        if word == "Ihr":
            if not initial:
                return 1.0
            return 0.5 if after[:1].isupper() else 0.0
        return 0.0
    if low in ("ihre", "ihren", "ihrem", "ihrer", "ihres"):
        if word[0] == "I":
            return 0.5 if initial else 1.0
        return 0.0
    if low == "geehrte" or low == "geehrter":
        return 1.0
    if low == "leute":
        return -0.5
    return 0.0


Rule = Callable[[str, str, int, int, str], float]
_SCANDINAVIAN = r"du|deg|dig|din|ditt|dit|dine|dere|deres|jer|jeres|de|dem|dykk|dykkar|dokker|dokkar"
_RULES: dict[str, tuple[re.Pattern[str], Rule]] = {
    "nb": (re.compile(rf"(?<!\w)(?i:{_SCANDINAVIAN})(?!\w)"), _scandinavian),
    "nn": (re.compile(rf"(?<!\w)(?i:{_SCANDINAVIAN})(?!\w)"), _scandinavian),
    "da": (re.compile(rf"(?<!\w)(?:(?i:{_SCANDINAVIAN})|I)(?!\w)"), _scandinavian),
    "sv": (re.compile(r"(?<!\w)(?i:du|dig|din|ditt|dina|ni|er|era|ert|eran|erat)(?!\w)"), _swedish),
    "fi": (re.compile(r"(?<!\w)(?i:te|teidän|teille|teitä|teiltä|teillä|teistä|teihin|ette|sinä|sä|sinun|sun|sinulle|"
                      r"sulle|sinua|sua|sinulta|sulta|sinulla|sulla|sinusta|susta|sinuun|et|mä|mun|mulle|mulla|multa|"
                      r"olet|voit|voisit|pystyt|tiedät|teit|lähetit|lupasit|sanoit|tarkoitat|annoit|vastasit|autat|"
                      r"haluat|osaat|\w+tte(?:ko|kö)?|\w+t(?:ko|kö)|\w+(?:kaa|kää)|\w+nne)(?!\w)"), _finnish),
    "nl": (re.compile(r"(?<!\w)(?i:u|uw|uwe|je|jij|jou|jouw|jullie|geachte)(?!\w)"), _dutch),
    "de": (re.compile(r"(?<!\w)(?i:du|dich|dir|dein\w{0,2}|euch|euer|eure\w?|sie|ihnen|ihr\w?|geehrte\w?|leute)"
                      r"(?!\w)"), _german),
}
#: Languages the detector reads; all others (English included) are "unknown".
LANGUAGES = tuple(_RULES)


def evidence(text: str, language: str) -> list[Evidence]:
    """Each piece of register evidence in ``text``: (weight, position); weight > 0 formal, < 0 informal."""
    rule = _RULES.get(language)
    if rule is None or not text:
        return []
    head = text[:MAX_CHARS]
    if '"' in head or "“" in head or "„" in head or "«" in head or "»" in head:
        head = _QUOTED.sub(lambda m: " " * len(m.group()), head)
    if "@" in head or "#" in head or "http" in head or "www." in head:
        head = _HANDLE.sub(lambda m: " " * len(m.group()), head)
    pattern, weigh = rule
    out = []
    for m in pattern.finditer(head):
        weight = weigh(m.group(), head, m.start(), m.end(), language)
        if weight:
            out.append((weight, m.start()))
    return out


def detect_register(text: str, language: str = "") -> str:
    """"formal" | "informal" | "unknown" for one (redacted) message in ``language``."""
    found = evidence(text, language)
    if not found:
        return UNKNOWN
    total = sum(w for w, _ in found)
    if total > 0:
        return FORMAL
    if total < 0:
        return INFORMAL
    return FORMAL if found[-1][0] > 0 else INFORMAL
