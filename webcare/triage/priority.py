"""Urgency signals and the priority they give a message — pure rules, no I/O.

Priority is 1 (most urgent) … 4 (low) and is decided by what the customer wrote and did, never by who they are:
nothing here knows follower counts or reach, so two identical messages get the same priority whoever sent them.

Signals:
- ``pii_public``: personal data posted where everyone can read it — urgent (1): every minute it stays up it can be
  copied.
- ``anger``: strongly negative and shouting, swearing or abusive.
- ``threat``: a threat to go public (press, consumer council, reviews) or to leave (cancel, switch provider).
- ``repeat_contact``: the same customer wrote on another channel within 7 days (the worker knows; the stand-alone
  ``webcare triage`` has no history and never sets it).
One of the last three makes the message high (2); two or more make it urgent (1). Without signals a question or
complaint is normal (3); praise, chit-chat and spam alone are low (4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

URGENT, HIGH, NORMAL, LOW = 1, 2, 3, 4
SIGNALS = ("pii_public", "anger", "threat", "repeat_contact")

#: Phrases that threaten to go public or to leave, per language (lower case, matched on the lower-cased redacted text).
#: Deliberately about the customer's own next step ("I will…", "going to…"), not about reading the news.
_THREATS: dict[str, str] = {
    "en": r"\b(?:go(?:ing)? (?:to )?(?:the )?(?:press|media|public|papers?)|contact(?:ing)? the (?:press|media|news)"
          r"|tell (?:every(?:one|body)|the world)|cancel(?:l?ing)? my (?:contract|subscription|account|plan|order)"
          r"|(?:i'?m|i am|i will|i'll) (?:leaving|switching|moving) (?:to|provider)|take my (?:business|money) "
          r"elsewhere|never (?:fly|buy|order|shop)\w* (?:with|from|at) you\w* again|sue you|my lawyer"
          r"|ombudsman|small claims|chargeback|report(?:ing)? you to)",
    "nb": r"\b(?:går? (?:\w+ )?til (?:media|pressen|avisen?|vg|dagbladet|aftenposten)|kontakte[rt]? (?:media|pressen)"
          r"|forbrukerrådet|forbrukertilsynet|advokat|si(?:er)? opp (?:abonnement|avtalen|kontrakten)"
          r"|(?:sier|si) opp (?:hos )?dere|bytter? (?:leverandør|selskap|operatør|bank)|aldri (?:mer|igjen) "
          r"(?:handle|fly|bestille)|legge[rt]? (?:det )?ut (?:på|overalt)|anmelde[rt]? dere)",
    "nn": r"\b(?:går? (?:\w+ )?til (?:media|pressa|avisa)|forbrukarrådet|forbrukerrådet|advokat|sei(?:er|e)? opp "
          r"(?:abonnementet|avtalen)|byter? (?:leverandør|selskap|operatør)|aldri meir)",
    "da": r"\b(?:går? (?:\w+ )?til (?:pressen|medierne|avisen|ekstra bladet|bt|tv2)|forbrugerrådet"
          r"|forbrugerombudsmanden|advokat|opsige[rs]? (?:mit|min|abonnement|aftalen)|opsiger"
          r"|skifte[rs]? (?:udbyder|selskab|bank)"
          r"|aldrig (?:mere|igen) (?:handle|flyve|bestille)|anmelde[rt]? jer|dele det (?:på|overalt))",
    "sv": r"\b(?:går? (?:\w+ )?till (?:media|pressen|tidningen|aftonbladet|expressen)|kontakta[rt]? (?:media|pressen)"
          r"|arn\b|konsumentverket|advokat|säg(?:a|er) upp (?:mitt|min|abonnemanget|avtalet)|byt(?:a|er) "
          r"(?:operatör|leverantör|bolag|bank)|aldrig (?:mer|igen) (?:handla|flyga|beställa)|anmäl(?:a|er) er)",
    "fi": r"(?:\botan yhteyttä (?:mediaan|lehteen|toimittajaan)|\bmediaan\b|kuluttajariitalautakun|kuluttajaneuvon"
          r"|asianajaja|irtisano|vaihdan (?:operaattoria|yhtiötä|pankkia|toiseen)"
          r"|en (?:enää )?ikinä (?:osta|tilaa|lennä)|teen rikosilmoituksen)",
    "nl": r"\b(?:naar de (?:pers|media|krant|consumentenbond|rechter)|consumentenbond|geschillencommissie|advocaat"
          r"|(?:ik )?zeg (?:mijn \w+ )?op\b|opzeggen|stap (?:ik )?over naar|overstappen naar|nooit meer (?:bij|met)"
          r"|kassa|radar\b|ga (?:dit|het) (?:overal )?delen)",
    "de": r"\b(?:an die (?:presse|öffentlichkeit|medien)|verbraucherzentrale|schlichtungsstelle|anwalt|anwältin"
          r"|kündig(?:e|en|ung)|wechsle (?:zu|den anbieter)|anbieter wechseln|nie wieder (?:bei|mit)"
          r"|öffentlich machen|zeige (?:euch|sie) an)",
}
_NEIGHBOURS = ("nb", "nn", "da", "sv")


def _combined(languages: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for several languages' phrases: one scan of the text instead of one per language (this runs on
    every message). The phrases are lower case and matched against the lower-cased text."""
    return re.compile("|".join(f"(?:{_THREATS[lang]})" for lang in dict.fromkeys(languages)))


#: Per message language: its own phrases, the Scandinavian neighbours' (they write each other's words) and English
#: (customers mix it in). Without a known language every pattern is tried.
_THREAT_RE = {lang: _combined((lang, *(_NEIGHBOURS if lang in _NEIGHBOURS else ()), "en")) for lang in _THREATS}
_ANY_THREAT = _combined(tuple(_THREATS))


def threatens(text: str, language: str = "") -> bool:
    """Does the message threaten to go public or to leave?"""
    return bool(_THREAT_RE.get(language, _ANY_THREAT).search(text.lower()))


def shouting(text: str) -> bool:
    """Three or more exclamation marks, or mostly capitals over at least ten letters."""
    if text.count("!") >= 3:
        return True
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) >= 0.6


def is_angry(text: str, sentiment: float, profane: bool, abuse_score: float) -> bool:
    """Strong anger: clearly negative and (swearing, abuse or shouting), or plainly abusive."""
    if abuse_score >= 0.85:
        return True
    return sentiment <= -0.5 and (profane or abuse_score >= 0.5 or shouting(text))


def urgency_signals(*, text: str, language: str, public: bool, has_pii: bool, sentiment: float, profane: bool,
                    abuse_score: float, repeat_contact: bool = False) -> list[str]:
    """The signals present in one message, in :data:`SIGNALS` order."""
    found = []
    if public and has_pii:
        found.append("pii_public")
    if is_angry(text, sentiment, profane, abuse_score):
        found.append("anger")
    if threatens(text, language):
        found.append("threat")
    if repeat_contact:
        found.append("repeat_contact")
    return found


def priority_for(signals: Iterable[str], intents: Iterable[str]) -> int:
    """1 urgent … 4 low, from the signals and the intents (see the module docstring)."""
    signals = set(signals)
    if "pii_public" in signals:
        return URGENT
    strong = len(signals & {"anger", "threat", "repeat_contact"})
    if strong >= 2:
        return URGENT
    if strong == 1:
        return HIGH
    if set(intents) <= {"praise", "other", "spam"}:
        return LOW
    return NORMAL
