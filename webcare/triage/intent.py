"""What a message wants: question, complaint, praise, sales_lead, spam or other (one or more).

Why rules and no model: the signals that decide intent are a handful of phrases per language ("virker ikke",
"hvorfor", "bytte til dere", "follow back") plus the question mark, and the only labelled data in our languages is a
few hundred messages we wrote ourselves. Phrase lists (``lexicons/intent/<lang>.txt``, readable and extendable by
anyone who speaks the language) carry the knowledge. A linear model trained on our set was measured
(``quality/intent.py``): alone it reaches macro-F1 ≈ 0.64 cross-validated against ≈ 0.97 for the cues, and as a second
opinion on top of the cues it changed about one decision in 400 on held-out messages while doubling the time.

Conventions that make the labels useful to an inbox:
- ``spam`` stands alone: a crypto pitch that ends in "?" is not a question to answer.
- ``other`` only when nothing else applies (greetings, "ok", a lone emoji, chit-chat, plain "thanks" — also with a
  smiley or "!!": courtesy cues make praise only next to a praise word, "great help, thanks 😊").
- A reported problem is a complaint even without a complaint word: the fix failed ("tried that, still the same"),
  nothing changed, it will not load, "why can't I …". Real tweets mostly complain this way.
- A complaint can also be a question ("Why is my internet down AGAIN?" → question + complaint).
- Sarcastic praise ("Takk for ingenting 🙄", "Love spending an hour on hold") counts as a complaint, not praise.
- Praise next to a problem survives only with a contrast word ("love the app, **but** login fails").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from webcare.triage.paths import LEXICONS_DIR

INTENTS = ("question", "complaint", "praise", "sales_lead", "spam", "other")

#: Languages with a cue list. English cues apply to every language too (code-switching: "wtf", "love it").
LEXICON_LANGUAGES = ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")
#: Extra cue lists read for a language: nynorsk writers mix in bokmål forms.
_ALSO = {"nn": ("nb",)}
#: Sections of a cue file. "~" marks weak cues (two are needed, or one plus sentiment); "^" cues count only at the
#: start of a sentence.
SECTIONS = ("question", "question^", "complaint", "complaint~", "praise", "praise~", "courtesy", "sales_lead",
            "sales_lead~", "spam", "sarcasm", "contrast", "ignore", "greeting")
#: Longest text read: the start of a long e-mail decides its intent, and the speed budget is per message.
MAX_CHARS = 1_000

_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
#: Finnish yes/no questions: the clitic -ko/-kö on the verb (onko, toimiiko, voisitteko). A double k before it is a
#: noun (pakko, lakko), and "jatko"/"katko" (continuation, outage) are nouns too.
_FI_CLITIC = re.compile(r"\w{2,}[^\Wk](?:ko|kö)(?:han|hän)?")
_FI_NOT_CLITIC = ("jatko", "katko", "matko")


@dataclass(frozen=True)
class Cues:
    """How often each kind of cue occurs in a message (the rules' view, also fed to the model)."""

    question: int = 0
    complaint: int = 0
    complaint_weak: int = 0
    praise: int = 0
    praise_weak: int = 0
    courtesy: int = 0
    sales: int = 0
    sales_weak: int = 0
    spam: int = 0
    sarcasm: int = 0
    contrast: bool = False
    url: bool = False

    def markers(self) -> str:
        """The cues as tokens (``[R_Q]`` …) appended to the text the model reads; capped so counts stay binary-ish."""
        out = []
        for name, n in (("Q", self.question), ("C", self.complaint), ("CW", self.complaint_weak),
                        ("P", self.praise), ("PW", self.praise_weak), ("CT", self.courtesy), ("S", self.sales),
                        ("SW", self.sales_weak),
                        ("X", self.spam), ("SARC", self.sarcasm)):
            if n:
                out.append(f"[R_{name}]")
                if n > 1:
                    out.append(f"[R_{name}_2]")
        if self.contrast:
            out.append("[R_BUT]")
        if self.url:
            out.append("[R_URL]")
        return " ".join(out)


#: Words, line breaks and single punctuation/emoji characters: how both cue phrases and messages are split, so a
#: phrase matches whatever spacing and punctuation surround it ("nede!!", "nede ." and "nede" alike).
_TOKEN = re.compile(r"\w+|\n|[^\w\s]")
#: Tokens that end a sentence (a question^ cue counts only right after one, or at the start).
_SENTENCE_END = frozenset(".!?\n:;…")
#: Order in which overlapping cues are resolved: a phrase inside a longer phrase of an earlier section does not count
#: again ("ikke fornøyd" is a complaint, so its "fornøyd" is no praise; "tusen takk" is praise, so no weak "takk";
#: "switching to you" is a sales lead, so its "switching to" is no complaint).
_CONSUMING = (("complaint", "sales_lead"), ("praise", "complaint"), ("complaint~", "complaint", "praise"),
              ("praise~", "complaint", "praise"), ("courtesy", "complaint", "praise", "praise~"))
_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class _Entry:
    section: str
    rest: tuple[str, ...]  # tokens after the first
    star: bool  # the last token is a prefix


@dataclass(frozen=True)
class _Start:
    """Everything that can start at one token: one-word cues (their sections), and longer phrases by second token."""

    sections: tuple[str, ...]
    by_next: dict[str, list[_Entry]]  # second token -> phrases
    star_next: tuple[_Entry, ...]  # two-word phrases whose second word is a prefix ("family plan*")


_NOTHING = _Start(sections=(), by_next={}, star_next=())


@dataclass
class _Lexicon:
    exact: dict[str, list[_Entry]]  # first token -> phrases
    stems: dict[str, list[_Entry]]  # a one-word "stem*" cue -> phrases
    stem_lengths: tuple[int, ...]
    anchored: dict[str, list[_Entry]]
    greetings: dict[str, list[_Entry]]
    finnish: bool
    cache: dict[str, _Start]

    def start(self, token: str) -> _Start:
        """The phrases that can start at ``token``, indexed by the next token (memoised: vocabularies repeat)."""
        found = self.cache.get(token)
        if found is None:
            entries = list(self.exact.get(token, ()))
            for n in self.stem_lengths:
                if n > len(token):
                    break
                entries.extend(self.stems.get(token[:n], ()))
            by_next: dict[str, list[_Entry]] = {}
            star_next = []
            for e in entries:
                if e.rest and e.star and len(e.rest) == 1:
                    star_next.append(e)
                elif e.rest:
                    by_next.setdefault(e.rest[0], []).append(e)
            found = _Start(sections=tuple(e.section for e in entries if not e.rest), by_next=by_next,
                           star_next=tuple(star_next)) if entries else _NOTHING
            if len(self.cache) > _CACHE_LIMIT:
                self.cache.clear()
            self.cache[token] = found
        return found


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens (curly apostrophes straightened, so "don’t" and "don't" are one spelling)."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def _entry(section: str, phrase: str) -> tuple[str, _Entry] | None:
    star = phrase.endswith("*")
    tokens = tokenize(phrase.rstrip("*"))
    if not tokens:
        return None
    return tokens[0], _Entry(section=section, rest=tuple(tokens[1:]), star=star)


def read_cue_file(language: str) -> dict[str, list[str]]:
    """The sections of ``lexicons/intent/<language>.txt`` (missing file: empty)."""
    path = LEXICONS_DIR / "intent" / f"{language}.txt"
    out: dict[str, list[str]] = {s: [] for s in SECTIONS}
    if not path.exists():
        return out
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section not in out:
                raise ValueError(f"{path.name}: unknown section [{section}]")
            continue
        if section:
            out[section].append(line.lower())
    return out


@functools.cache
def _lexicon(language: str) -> _Lexicon:
    if language in LEXICON_LANGUAGES:
        languages: tuple[str, ...] = (language, *_ALSO.get(language, ()), "en")
    else:  # unknown language: every list (cues rarely collide across these languages)
        languages = LEXICON_LANGUAGES
    lex = _Lexicon(exact={}, stems={}, stem_lengths=(), anchored={}, greetings={}, finnish=language in ("fi", ""),
                   cache={})
    seen: set[tuple[str, str]] = set()
    for lang in dict.fromkeys(languages):
        for section, phrases in read_cue_file(lang).items():
            for phrase in phrases:
                if (section, phrase) in seen:
                    continue
                seen.add((section, phrase))
                made = _entry(section, phrase)
                if made is None:
                    continue
                first, entry = made
                if section == "question^":
                    target = lex.anchored
                elif section == "greeting":
                    target = lex.greetings
                elif entry.star and not entry.rest:
                    target = lex.stems
                    entry = _Entry(section=section, rest=(), star=False)
                else:
                    target = lex.exact
                target.setdefault(first, []).append(entry)
    lex.stem_lengths = tuple(sorted({len(s) for s in lex.stems}))
    return lex


def _match(entry: _Entry, tokens: list[str], i: int) -> int:
    """End index of ``entry`` starting at token ``i`` (whose first token already matched), or 0."""
    end = i + 1 + len(entry.rest)
    if end > len(tokens):
        return 0
    for k, want in enumerate(entry.rest, start=i + 1):
        if tokens[k] != want and not (entry.star and k == end - 1 and tokens[k].startswith(want)):
            return 0
    return end


def _sentence_starts(tokens: list[str], lex: _Lexicon) -> list[int]:
    """Where sentences begin, past leading @handles, #tags, one greeting and commas ("@Telia hei, kan jeg …").

    The skip is bounded (a few tokens, one greeting), so "Hei! Hei! Hei! …" stays linear.
    """
    starts = []
    n = len(tokens)
    # candidate starts: the first token and each token after a sentence end (found in one pass, no per-token test)
    candidates = [0] if n else []
    candidates += [k for k, tok in enumerate(tokens, start=1) if tok in _SENTENCE_END and k < n]
    for i in candidates:
        j = i
        greeted = False
        while j < n and j - i < 8:
            tok = tokens[j]
            if tok in ("@", "#") and j + 1 < n:
                j += 2
            elif tok in (",", "-"):
                j += 1
            elif not greeted and tok in lex.greetings:
                ends = [_match(e, tokens, j) if e.rest else j + 1 for e in lex.greetings[tok]]
                if not any(ends):
                    break
                j = max(ends)
                greeted = True
            else:
                break
        starts.append(j)
    return starts


def _count(spans: list[tuple[int, int]], blocked: list[tuple[int, int]]) -> tuple[int, list[tuple[int, int]]]:
    """Non-overlapping spans (leftmost-longest) that do not touch a blocked span: their count and the spans."""
    kept: list[tuple[int, int]] = []
    if not spans:  # most sections find nothing in a message: skip the sort
        return 0, kept
    last = -1
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < last or any(start < b_end and b_start < end for b_start, b_end in blocked):
            continue
        kept.append((start, end))
        last = end
    return len(kept), kept


def cues(text: str, language: str = "") -> Cues:
    """The rule cues found in ``text`` (the first ``MAX_CHARS`` characters)."""
    lex = _lexicon(language if language in LEXICON_LANGUAGES else "")
    head = text[:MAX_CHARS]
    tokens = tokenize(head)
    found: dict[str, list[tuple[int, int]]] = {}
    last = len(tokens) - 1
    cached = lex.cache.get  # the memo of lex.start, read inline: most tokens start no cue
    for i, tok in enumerate(tokens):
        start = cached(tok)
        if start is None:
            start = lex.start(tok)
        if start is _NOTHING:
            continue
        for section in start.sections:
            found.setdefault(section, []).append((i, i + 1))
        if i < last:
            for entry in (*start.by_next.get(tokens[i + 1], ()), *start.star_next):
                end = _match(entry, tokens, i)
                if end:
                    found.setdefault(entry.section, []).append((i, end))
    ignored = found.pop("ignore", [])
    if ignored:
        for section in found:
            found[section] = [s for s in found[section] if not any(s[0] < e and b < s[1] for b, e in ignored)]
    anchored = 0
    for j in _sentence_starts(tokens, lex):
        if any(b <= j < e for b, e in ignored):  # "Wat een service!" is no question
            continue
        if j < len(tokens) and any(_match(e, tokens, j) if e.rest else True for e in lex.anchored.get(tokens[j], ())):
            anchored += 1
    sales, sales_spans = _count(found.get("sales_lead", []), [])
    sales_weak, _ = _count(found.get("sales_lead~", []), sales_spans)
    counts: dict[str, int] = {}
    kept: dict[str, list[tuple[int, int]]] = {"sales_lead": sales_spans}
    for section, *blockers in _CONSUMING:
        blocked = [span for b in blockers for span in kept.get(b, ())]
        counts[section], kept[section] = _count(found.get(section, []), blocked)
    question = head.count("?") + anchored + _count(found.get("question", []), [])[0]
    if lex.finnish:
        question += sum(1 for t in tokens if len(t) > 4 and t.endswith(("ko", "kö", "kohan", "köhän"))
                        and _FI_CLITIC.fullmatch(t) and not t.endswith(_FI_NOT_CLITIC))
    return Cues(question=question, complaint=counts["complaint"], complaint_weak=counts["complaint~"],
                praise=counts["praise"], praise_weak=counts["praise~"], courtesy=counts["courtesy"], sales=sales,
                sales_weak=sales_weak,
                spam=_count(found.get("spam", []), [])[0], sarcasm=_count(found.get("sarcasm", []), [])[0],
                contrast=bool(found.get("contrast")), url=bool(_URL.search(head)))


#: How the sentiment score tips weak evidence. A lone courtesy word ("thanks", "ok") already scores ≈ 0.6 in the
#: sentiment lexicon (valence 1.5 squashed), so a weak praise cue needs more than that: at least one clear positive
#: word (valence 2 → 0.71). "Got it, thanks!" stays other; "That fixed it, thanks" is praise. A weak complaint cue
#: ("still", "tried") needs only a mildly negative message, and a clearly negative one is a complaint on its own.
PRAISE_TIP = 0.7
COMPLAINT_TIP = -0.25
NEGATIVE_IS_COMPLAINT = -0.6


def rule_intents(c: Cues, sentiment_score: float = 0.0) -> set[str]:
    """The rules' decision from cues (and the sentiment score, which only tips weak evidence)."""
    if c.spam + c.url >= 2:
        return {"spam"}
    out: set[str] = set()
    if c.question:
        out.add("question")
    # Weak cues ("again", "every time", "nothing") make a complaint only when no outright praise is in sight:
    # "nothing short of amazing … every time I fly" is praise.
    # Two weak cues in a message that reads clearly positive ("tried again, and now it works fine") are no complaint.
    weak = ((c.complaint_weak >= 2 and sentiment_score < PRAISE_TIP)
            or (c.complaint_weak > 0 and sentiment_score <= COMPLAINT_TIP))
    # Sarcasm markers (🙄, "love waiting") turn a faint problem into a complaint; on their own they decide nothing
    # ("😂🙄" is chit-chat, "great job 👏👏" is praise).
    complaint = (c.complaint > 0 or (weak and not c.praise) or sentiment_score <= NEGATIVE_IS_COMPLAINT
                 or (c.sarcasm > 0 and c.complaint_weak > 0))
    # Thanks and friendly emoji alone are politeness ("Thanks! 😊" is other, however warm); next to a praise word
    # they are the second weak cue ("great, thanks").
    praise = c.praise > 0 or c.praise_weak >= 2 or (c.praise_weak > 0 and (c.courtesy > 0
                                                                          or sentiment_score >= PRAISE_TIP))
    if c.sarcasm and complaint:
        praise = False
    elif complaint and praise and not c.contrast:
        praise = False  # praise words around a problem without "but": sarcasm, or politeness
    if complaint:
        out.add("complaint")
    if praise:
        out.add("praise")
    # Weak sales cues ("would like" + "from you" + "broadband") need two, and no complaint: "I want my money back
    # from you" is not a lead.
    if c.sales or (c.sales_weak >= 2 and not c.complaint):
        out.add("sales_lead")
    return out


def model_text(text: str, c: Cues) -> str:
    """What the model reads: the message plus its rule cues as marker tokens."""
    return text[:MAX_CHARS] + " " + c.markers()


#: How a trained model may overrule the rules (``combine``): add a label at p ≥ ADD, drop one at p < DROP. Measured
#: in ``quality/intent.py`` with a model trained in-fold on the labelled set; it changed about 1 decision in 400 on
#: held-out data at twice the cost, so the shipped detector is the rules alone.
ADD = 0.9
DROP = 0.1


def combine(rule_labels: set[str], probabilities: dict[str, float] | None) -> list[str]:
    """Final labels: the rules' set (adjusted by a confident model, if given), with the conventions of this module."""
    chosen = set(rule_labels)
    if probabilities is not None:
        for label in INTENTS[:5]:
            p = probabilities.get(label, 0.0)
            if p >= ADD:
                chosen.add(label)
            elif p < DROP:
                chosen.discard(label)
    if "spam" in chosen:
        return ["spam"]
    return [i for i in INTENTS if i in chosen] or ["other"]


def detect_intents(text: str, language: str = "", sentiment_score: float = 0.0) -> list[str]:
    """The intents of one (redacted) message, in ``INTENTS`` order; never empty, "other" only alone.

    ``sentiment_score`` (from the sentiment detector, -1..1) only tips weak evidence: a strongly negative message
    with no complaint phrase is still a complaint, a faint "thanks" in a glowing message is praise.
    """
    if not text or not text.strip():
        return ["other"]
    return combine(rule_intents(cues(text, language), sentiment_score), None)
