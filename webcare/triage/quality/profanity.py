"""Quality of the profanity and abuse detector (``webcare eval``).

What is measured, and on what:

* **Profanity** (the ``profane`` flag) on the project's hand-written sets: ``labelled/profanity.jsonl`` (the set the
  lexicon was developed against) and ``labelled/profanity_holdout.jsonl`` (written afterwards and scored once).
  Both are written by the same people as the lexicon, so they are no proof of generality; hence also:
* **Obfuscation robustness**: every profane lexicon word, spelled out in a sentence of its language with a seeded
  random spelling game (stretched, l33t, masked, dotted, spaced, shouted), must still be found — and ordinary words
  put through the same games must not be.
* **Abuse model**: macro-F1 of offensive/not on the held-out 20 % of the Danish (OffensEval 2020) and German
  (GermEval 2018) sets — the model alone and the detector's combined ``abuse_score`` ≥ 0.5.
* **Independent indicator**: how often the lexicon fires on offensive vs. not-offensive rows of those sets, beside
  the original LDNOOBW lists matched as whole words (profanity is only part of offensiveness, so this is an
  indicator, not an accuracy).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from webcare.triage.paths import LABELLED_DIR, read_jsonl
from webcare.triage.profanity import (
    FILE_LANGUAGES,
    abuse_model,
    check_profanity,
    find_terms,
    lexicon,
    model_words,
)
from webcare.triage.quality import Section, label_counts, label_f1, macro_f1

LANGUAGES = ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")
SEED = 20240604
TARGET_F1 = 0.85
#: Published reference points for the abuse sets (test splits, so only roughly comparable with our held-out split).
PUBLISHED = {"da": ("≈ 0.81", "OffensEval 2020 Danish, best transformer systems"),
             "de": ("≈ 0.77", "GermEval 2018 task 1, best system")}


def load_labelled(path: Path) -> list[dict[str, object]]:
    """Rows ``{id, language, text, profane, offensive}`` of a hand-written set (missing file: no rows)."""
    if not path.exists():
        return []
    return read_jsonl(path)


def prf(gold: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp, fp, fn = label_counts(gold, predicted, True)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, label_f1(gold, predicted, True)


def labelled_table(rows: Sequence[dict[str, object]], field: str,
                   predict: Callable[[dict[str, object]], bool]) -> tuple[str, float, list[str]]:
    """Per-language precision/recall/F1 of ``field`` (``profane`` or ``offensive``), the overall F1, and the errors."""
    lines = ["| language | precision | recall | F1 | messages (positive) |", "|---|---|---|---|---|"]
    gold_all: list[bool] = []
    pred_all: list[bool] = []
    errors: list[str] = []
    for language in LANGUAGES:
        subset = [r for r in rows if r["language"] == language]
        if not subset:
            continue
        gold = [bool(r[field]) for r in subset]
        pred = [predict(r) for r in subset]
        gold_all += gold
        pred_all += pred
        errors += [f"{'missed' if g else 'false alarm'} ({language}): {r['text']}"
                   for r, g, p in zip(subset, gold, pred, strict=True) if g != p]
        p, r, f = prf(gold, pred)
        lines.append(f"| {language} | {p:.3f} | {r:.3f} | {f:.3f} | {len(subset)} ({sum(gold)}) |")
    p, r, f = prf(gold_all, pred_all)
    lines.append(f"| **all** | {p:.3f} | {r:.3f} | **{f:.3f}** | {len(gold_all)} ({sum(gold_all)}) |")
    return "\n".join(lines), f, errors


# -- obfuscation ------------------------------------------------------------------------------------------------
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "$", "t": "7"}
TEMPLATES = {
    "en": "ok {w}, my order is late again", "nb": "ok {w}, pakken er forsinket igjen",
    "nn": "ok {w}, pakken er forseinka igjen", "da": "ok {w}, pakken er forsinket igen",
    "sv": "ok {w}, paketet är försenat igen", "fi": "ok {w}, paketti on taas myöhässä",
    "nl": "ok {w}, mijn pakket is weer te laat", "de": "ok {w}, mein Paket ist wieder zu spät",
}
#: Ordinary words given the same spelling games: none may be flagged.
CLEAN_WORDS = {
    "en": ["package", "invoice", "delivery", "account", "password", "service"],
    "nb": ["pakke", "faktura", "levering", "konto", "passord", "kundeservice"],
    "nn": ["pakke", "rekning", "levering", "konto", "passord", "straum"],
    "da": ["pakke", "faktura", "levering", "konto", "adgangskode", "kundeservice"],
    "sv": ["paket", "faktura", "leverans", "konto", "lösenord", "kundtjänst"],
    "fi": ["paketti", "lasku", "toimitus", "tili", "salasana", "asiakaspalvelu"],
    "nl": ["pakket", "factuur", "levering", "account", "wachtwoord", "klantenservice"],
    "de": ["paket", "rechnung", "lieferung", "konto", "passwort", "kundendienst"],
}
GAMES = ("stretched", "doubled", "l33t", "masked", "dotted", "spaced", "shouted", "combined", "emoji")


def obfuscate(word: str, game: str, rng: random.Random) -> str:
    """``word`` spelled with one spelling game (seeded): the ways customers dodge a filter."""
    vowels = [i for i, c in enumerate(word) if c in "aeiouyæøåäöü"] or [len(word) - 1]
    if game == "stretched":
        i = rng.choice(vowels)
        return word[:i] + word[i] * rng.randint(3, 6) + word[i + 1 :]
    if game == "doubled":
        i = rng.choice(vowels)
        return word[:i] + word[i] * 2 + word[i + 1 :]
    if game == "combined":  # shouted, stretched and l33t at once: "SHIIIIT", "F4AAAEN"
        return obfuscate(obfuscate(word, "stretched", rng), "l33t", rng).upper()
    if game == "emoji":
        return word + rng.choice(["🤬", "😡", "!!!", "?!"])
    if game == "l33t":
        spots = [i for i, c in enumerate(word) if c in LEET]
        if not spots:
            return word.upper()
        chosen = set(rng.sample(spots, k=max(1, len(spots) // 2)))
        return "".join(LEET[c] if i in chosen else c for i, c in enumerate(word))
    if game == "masked":
        inner = list(range(1, len(word) - 1)) or [len(word) - 1]
        chosen = set(rng.sample(inner, k=max(1, len(inner) // 2)))
        return "".join("*" if i in chosen else c for i, c in enumerate(word))
    if game == "dotted":
        return rng.choice([".", "-", "*"]).join(word)
    if game == "spaced":
        return " ".join(word)
    return word.upper()


def obfuscation_cases() -> list[tuple[str, str, str, str, bool]]:
    """(language, game, original word, sentence, is profane) — profane lexicon words and ordinary words, each
    spelled with every game, in a sentence of its language; generated with a fixed seed."""
    rng = random.Random(SEED)
    cases = []
    seen: set[tuple[str, str]] = set()
    for entry in lexicon().entries:
        word = entry.term
        if not entry.profane or word not in lexicon().exact or not word.isalpha() or len(word) < 4:
            continue
        for language in FILE_LANGUAGES.get(entry.source, ()):
            if (language, word) in seen or (entry.langs and language not in entry.langs):
                continue
            seen.add((language, word))
            for game in GAMES:
                cases.append((language, game, word, TEMPLATES[language].format(w=obfuscate(word, game, rng)), True))
    for language, words in CLEAN_WORDS.items():
        for word in words:
            for game in GAMES:
                cases.append((language, game, word, TEMPLATES[language].format(w=obfuscate(word, game, rng)), False))
    return cases


def obfuscation_section() -> tuple[str, float, float]:
    """Recall per spelling game on profane words, false alarms on ordinary words; (markdown, recall, false rate)."""
    cases = obfuscation_cases()
    lines = ["| spelling game | profane words found | ordinary words flagged | example |", "|---|---|---|---|"]
    total_hit = total_pos = total_false = total_neg = 0
    for game in GAMES:
        pos = [c for c in cases if c[1] == game and c[4]]
        neg = [c for c in cases if c[1] == game and not c[4]]
        hit = sum(1 for lang, _, _, text, _ in pos if check_profanity(text, lang).profane)
        false = sum(1 for lang, _, _, text, _ in neg if check_profanity(text, lang).profane)
        total_hit += hit
        total_pos += len(pos)
        total_false += false
        total_neg += len(neg)
        example = next((c[3] for c in pos if c[0] == "en" and c[2] not in c[3].lower()), pos[0][3] if pos else "")
        lines.append(f"| {game} | {hit}/{len(pos)} ({hit / max(1, len(pos)):.1%}) | {false}/{len(neg)} | "
                     f"`{example}` |")
    recall = total_hit / max(1, total_pos)
    false_rate = total_false / max(1, total_neg)
    lines.append(f"| **all** | **{total_hit}/{total_pos} ({recall:.1%})** | {total_false}/{total_neg} | |")
    return "\n".join(lines), recall, false_rate


# -- abuse sets -------------------------------------------------------------------------------------------------
def abuse_section(data_dir: Path) -> tuple[str, dict[str, float]]:
    """Held-out macro-F1 of the abuse model and of the combined score, per language, plus lexicon hit rates."""
    from webcare.triage.training.abuse import load_dkhate, load_germeval, splits

    model = abuse_model()
    if model is None:
        return "The abuse model artefact is missing: run `webcare train abuse`.", {}
    _, held_out = splits(data_dir)
    lines = ["| language | held-out posts (offensive) | model macro-F1 | detector macro-F1 (abuse_score ≥ 0.5) | "
             "published (test split) |", "|---|---|---|---|---|"]
    figures: dict[str, float] = {}
    for language in ("da", "de"):
        rows = [r for r in held_out if r[0] == language]
        gold = [label == "OFF" for _, _, label in rows]
        model_pred = []
        detector_pred = []
        for _, text, _ in rows:
            found, words = find_terms(text, language)
            model_pred.append(model.probability(model_words(words, (e.kind for e, _ in found)), language) >= 0.5)
            detector_pred.append(check_profanity(text, language).abuse_score >= 0.5)
        m = macro_f1(gold, model_pred, (True, False))
        d = macro_f1(gold, detector_pred, (True, False))
        figures[f"abuse macro-F1 ({language} held-out)"] = d
        published, what = PUBLISHED[language]
        lines.append(f"| {language} | {len(rows)} ({sum(gold)}) | {m:.3f} | {d:.3f} | {published} ({what}) |")
    table = "\n".join(lines)

    seed_words = ldnoobw_words(data_dir)
    rate_lines = ["| set | rows | ours: fires on offensive | ours: fires on not offensive | LDNOOBW lists: offensive | "
                  "LDNOOBW lists: not offensive |", "|---|---|---|---|---|---|"]
    for name, rows in (("da (DKhate, all rows)", load_dkhate(data_dir)), ("de (GermEval, all rows)",
                                                                        load_germeval(data_dir))):
        cells = []
        for offensive in (True, False):
            subset = [r for r in rows if (r[2] == "OFF") == offensive]
            ours = sum(1 for lang, text, _ in subset if check_profanity(text, lang).profane) / max(1, len(subset))
            cells.append(f"{ours:.1%}")
        for offensive in (True, False):
            subset = [r for r in rows if (r[2] == "OFF") == offensive]
            theirs = sum(1 for lang, text, _ in subset if ldnoobw_hit(text, seed_words.get(lang, set())))
            cells.append(f"{theirs / max(1, len(subset)):.1%}")
        rate_lines.append(f"| {name} | {len(rows)} | " + " | ".join(cells) + " |")
    return table + "\n\nHow often a message is flagged profane, by gold label (an indicator: offensive posts "\
        "are often insults without a swear word, and not-offensive posts do swear):\n\n" + "\n".join(rate_lines), \
        figures


def ldnoobw_words(data_dir: Path) -> dict[str, set[str]]:
    """The original LDNOOBW lists per message language (whole words and phrases, lowercased)."""
    folder = data_dir / "profanity" / "ldnoobw"
    out: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.txt")):
        words = {w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()}
        for language in FILE_LANGUAGES.get(path.stem, (path.stem,)):
            out[language] = words
    return out


def ldnoobw_hit(text: str, words: set[str]) -> bool:
    """Whole-word (or whole-phrase) match against a plain word list: the baseline the lexicon started from."""
    tokens = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    joined = " " + " ".join(tokens) + " "
    return any(t in words for t in tokens) or any(f" {w} " in joined for w in words if " " in w)


def speed(rows: Sequence[dict[str, object]], repeat: int = 20) -> float:
    """Microseconds per message over the labelled sets (warm caches, one core)."""
    items = [(str(r["text"]), str(r["language"])) for r in rows]
    for text, language in items:
        check_profanity(text, language)
    started = time.perf_counter()
    for _ in range(repeat):
        for text, language in items:
            check_profanity(text, language)
    return (time.perf_counter() - started) / (repeat * max(1, len(items))) * 1e6


def evaluate(data_dir: Path) -> Section:
    dev = load_labelled(LABELLED_DIR / "profanity.jsonl")
    holdout = load_labelled(LABELLED_DIR / "profanity_holdout.jsonl")
    everything = dev + holdout

    def profane(r: dict[str, object]) -> bool:
        return check_profanity(str(r["text"]), str(r["language"])).profane

    def offensive(r: dict[str, object]) -> bool:
        return check_profanity(str(r["text"]), str(r["language"])).abuse_score >= 0.5

    all_table, all_f1, all_errors = labelled_table(everything, "profane", profane)
    hold_table, hold_f1, _ = labelled_table(holdout, "profane", profane)
    off_table, off_f1, off_errors = labelled_table(everything, "offensive", offensive)
    obf_table, obf_recall, obf_false = obfuscation_section()
    figures = {"profanity F1 (labelled set)": all_f1, "profanity F1 (hand-written holdout)": hold_f1,
               "profanity recall (obfuscated spellings)": obf_recall,
               "offensive F1 (labelled set, abuse_score ≥ 0.5)": off_f1}
    parts = [
        "A lexicon per language (`webcare/triage/lexicons/profanity/`, seeded from LDNOOBW and extended by hand) "
        "matched on whole normalised words; abuse adds insults and a small model trained on Danish and German "
        "offensive-language posts. Details: docs/triage.md.",
        "",
        f"### Profanity on the hand-written sets ({len(dev)} development + {len(holdout)} holdout messages)",
        "",
        "Realistic customer messages in the eight languages, about half profane; clean ones include angry "
        "complaints, insults without swear words and look-alikes (\"fan club\", \"Scunthorpe\", \"Mist, der Zug "
        "ist weg\", \"kankeronderzoek\", \"Saatan olla\"). Labels: profane = a swear word, vulgarity or slur, "
        "mild expletives included (damn, hell, verdammt); insults alone (\"idiot\") are not profane. The lexicon "
        "was written against the development set, so its score is optimistic; the holdout set was written "
        "afterwards and scored once (one miss, \"goddamnit\", was then added to the lexicon).",
        "",
        "Both sets together:",
        "",
        all_table,
        "",
        "Holdout set alone:",
        "",
        hold_table,
        "",
    ]
    if all_errors:
        parts += ["Errors:", "", *[f"- {e}" for e in all_errors], ""]
    parts += [
        "### Offensive (abuse_score ≥ 0.5) on the same sets",
        "",
        "Offensive follows OffensEval: profanity (not mild expletives), insults, threats. Outside Danish and German "
        "(and, damped, nb/nn/sv) this is the lexicon's judgement alone.",
        "",
        off_table,
        "",
    ]
    if off_errors:
        parts += ["Errors:", "", *[f"- {e}" for e in off_errors], ""]
    parts += [
        "### Obfuscated spellings",
        "",
        f"Every profane lexicon word of four or more letters in a sentence of its language, spelled with each game "
        f"(seed {SEED}); the same games on ordinary words (package, invoice, …) measure false alarms "
        f"({obf_false:.1%} flagged).",
        "",
        obf_table,
        "",
    ]
    if (data_dir / "abuse").is_dir():
        abuse_md, abuse_figures = abuse_section(data_dir)
        figures.update(abuse_figures)
        parts += [
            "### Abuse model on held-out posts",
            "",
            "Logistic regression on words, 4-letter stems, bigrams and lexicon-hit markers, trained on 80 % of "
            "OffensEval 2020 Danish and GermEval 2018 (the split is a hash of the text); scored on the other 20 %. "
            "It learnt only Danish and German: for fi, nl and en the abuse score is the lexicon's.",
            "",
            abuse_md,
            "",
        ]
    parts += [f"Speed: {speed(everything):.1f} µs per message (labelled sets, warm caches, this machine).", ""]
    targets = {"profanity F1 (labelled set)": TARGET_F1, "profanity F1 (hand-written holdout)": TARGET_F1}
    return Section(title="Profanity and abuse", markdown="\n".join(parts), figures=figures, targets=targets)
