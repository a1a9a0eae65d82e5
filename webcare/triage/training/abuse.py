"""Train the abuse model: offensive or not, from Danish (OffensEval 2020 / DKhate) and German (GermEval 2018) posts.

Why these two: they are the offensive-language sets with a licence that allows training (CC BY 4.0) in our languages.
Nothing comparable exists here for nb, nn, sv, fi, nl or en, so the model only speaks for Danish and German (and,
damped, for Danish's neighbours); the lexicon covers the other languages (see ``webcare/triage/profanity.py``).

The model reads what the detector gives it at run time (:func:`~webcare.triage.profanity.model_words`): the normalised
words, their first four letters, word bigrams, and a marker per kind of lexicon hit — no character n-grams, so one
message costs a few microseconds. Each set is split once, deterministically, into 80 % training and 20 % held out;
the shipped model never sees the held-out rows, and ``webcare eval`` reports macro-F1 on them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from webcare.triage.linear import FeatureConfig, train_linear
from webcare.triage.profanity import find_terms, model_text, model_words
from webcare.triage.quality import macro_f1

ARTEFACT = "abuse.npz"
CONFIG = FeatureConfig(words=True, bigrams=True, char_min=0, char_max=0, lowercase=True)
LABELS = ("NOT", "OFF")
#: Share of each set held out for evaluation (chosen by a hash of the text, so it is stable across runs and files).
HELD_OUT_PERCENT = 20
C = 4.0
MIN_COUNT = 2

Row = tuple[str, str, str]  # (language, text, "OFF" | "NOT")


def load_dkhate(data_dir: Path) -> list[Row]:
    """Danish OffensEval 2020 training rows (``id \\t tweet \\t OFF|NOT``); deleted posts are skipped."""
    path = data_dir / "abuse" / "dkhate" / "offenseval-da-training-v1.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 3 or parts[1].strip() in ("", "[deleted]"):
            continue
        rows.append(("da", parts[1].strip(), "OFF" if parts[2].strip() == "OFF" else "NOT"))
    return rows


def load_germeval(data_dir: Path) -> list[Row]:
    """German GermEval 2018 training rows (``text \\t OFFENSE|OTHER \\t fine label``; ``|LBR|`` is a line break)."""
    path = data_dir / "abuse" / "germeval2018" / "germeval2018.training.txt"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip():
            continue
        rows.append(("de", parts[0].replace("|LBR|", "\n").strip(), "OFF" if parts[1].strip() == "OFFENSE" else "NOT"))
    return rows


def is_held_out(text: str) -> bool:
    """Whether a row belongs to the held-out split: a hash of its text, so the split never depends on row order."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


def splits(data_dir: Path) -> tuple[list[Row], list[Row]]:
    """(training rows, held-out rows) over both sets, each in a stable order."""
    rows = sorted(set(load_dkhate(data_dir) + load_germeval(data_dir)))
    train_rows = [r for r in rows if not is_held_out(r[1])]
    held_out = [r for r in rows if is_held_out(r[1])]
    return train_rows, held_out


def model_input(text: str, language: str) -> str:
    """The text the model is trained on: what the detector gives it at run time (:func:`profanity.model_words`)."""
    found, words = find_terms(text, language)
    return model_text(model_words(words, (entry.kind for entry, _ in found)))


def thresholds(texts: list[str], labels: list[str], languages: list[str], folds: int = 5) -> dict[str, float]:
    """Per language, the probability threshold with the best macro-F1 in cross-validation on the training split.

    Why: the two sets differ (13 % offensive in Danish, 34 % in German), so one threshold does not suit both. The
    held-out split plays no part; the detector rescales probabilities so each language's threshold reads as 0.5.
    """
    from webcare.triage.profanity import AbuseModel

    probabilities = [0.0] * len(texts)
    for fold in range(folds):
        train_idx = [i for i in range(len(texts)) if i % folds != fold]
        model = AbuseModel.from_linear(train_linear(
            [texts[i] for i in train_idx], [labels[i] for i in train_idx], config=CONFIG, label_order=LABELS,
            min_count=MIN_COUNT, c=C, class_weight="balanced"))
        for i in range(fold, len(texts), folds):
            probabilities[i] = model.probability(texts[i].split())
    out = {}
    for language in sorted(set(languages)):
        idx = [i for i, lang in enumerate(languages) if lang == language]
        gold = [labels[i] == "OFF" for i in idx]
        candidates = [round(0.2 + 0.05 * k, 2) for k in range(13)]  # 0.20 … 0.80
        def score(threshold: float, gold: list[bool] = gold, idx: list[int] = idx) -> tuple[float, float]:
            return (macro_f1(gold, [probabilities[i] >= threshold for i in idx], (True, False)),
                    -abs(threshold - 0.5))

        out[language] = max(candidates, key=score)
    return out


def train(data_dir: Path, out_dir: Path) -> dict[str, object]:
    """Fit the abuse model on the training split and write ``abuse.npz``; return a summary."""
    train_rows, held_out = splits(data_dir)
    texts = [model_input(text, language) for language, text, _ in train_rows]
    labels = [label for _, _, label in train_rows]
    summary: dict[str, object] = {
        "artefact": ARTEFACT,
        "rows": {f"{lang} {label}": sum(1 for r in train_rows if r[0] == lang and r[2] == label)
                 for lang in ("da", "de") for label in LABELS},
        "held_out_rows": len(held_out),
        "sources": ["abuse/dkhate (OffensEval 2020 Danish, CC BY 4.0)",
                    "abuse/germeval2018 (GermEval 2018, CC BY 4.0)"],
        "features": "words, 4-letter stems and bigrams of the normalised word stream, plus lexicon-hit markers",
        "thresholds": thresholds(texts, labels, [language for language, _, _ in train_rows]),
    }
    model = train_linear(texts, labels, config=CONFIG, label_order=LABELS, min_count=MIN_COUNT, c=C,
                         class_weight="balanced", meta=summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / ARTEFACT)
    summary["features_kept"] = len(model.vocab)
    return summary
