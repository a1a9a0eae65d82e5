"""Train the sentiment models (``webcare train sentiment``): Norwegian (NoReC) and Finnish (XED), each stacked with
the lexicon.

Sources (``data_dir`` = ``../shared/data``):

* ``sentiment/norec_sentence/train.json`` — Norwegian review sentences, positive/negative/neutral (CC BY-NC 4.0; the
  dataset's terms allow models trained on it to be used freely). ``dev.json`` is never read here: it is the held-out
  evaluation in ``quality/sentiment.py``.
* ``sentiment/fi_xed/fi_xed_polarity_derived.tsv`` — Finnish subtitle lines with a polarity derived from emotion
  labels (CC BY 4.0); only negative and positive exist. A seeded 20 % of it (:func:`fi_xed_split`) is held out.
* ``webcare/triage/labelled/sentiment_dev.jsonl`` — the project's hand-written customer-service development set
  (MIT), which teaches the stacker how far to trust the lexicon on short customer messages. The test set
  ``labelled/sentiment.jsonl`` is never read here.

Per language two things are fitted, deterministically:

1. a :class:`~webcare.triage.linear.LinearModel` on the external data (words, word pairs, 4-letter word prefixes);
2. a *stacker*: a three-class logistic regression over the model's log-odds, the lexicon score and whether the
   message asks a question. It is fitted on out-of-fold model outputs (5 folds, by review for NoReC, so no
   sentence is scored by a model that saw it) plus the development set, each domain weighing half. It decides the
   label and the score (P(positive) − P(negative)), so the trade-off between the review/subtitle model and the
   customer-service lexicon is learned on validation data, not set by hand.

The stacker's weights are stored in the artefact's meta (``stacker``), next to the summary of the data used.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from webcare.triage.linear import FeatureConfig, LinearModel, train_linear
from webcare.triage.paths import LABELLED_DIR, read_jsonl
from webcare.triage.sentiment import LABELS, model_proba, model_text, stacker_features

#: Words and word pairs of the message plus 4-letter word prefixes (:func:`~webcare.triage.sentiment.model_text`):
#: as accurate as character 4-grams on NoReC and fi_xed, at the speed the budget allows (≤ 60 µs per message).
CONFIG = FeatureConfig(words=True, bigrams=True, char_max=0)
PREFIX_CHARS = 4
C = 4.0
MIN_COUNT = 2
FOLDS = 5
SEED = 20240604
#: Share of the stacker's training weight given to the hand-written customer-service rows.
CS_WEIGHT = 0.5
STACKER_C = 1.0
FI_XED_TEST_SHARE = 0.2
#: Which hand-written development rows teach each model's stacker (nynorsk messages are scored with the
#: Norwegian model, so they teach it too).
DEV_LANGUAGES = {"nb": ("nb", "nn"), "fi": ("fi",)}
NOREC = Path("sentiment") / "norec_sentence"
FI_XED = Path("sentiment") / "fi_xed" / "fi_xed_polarity_derived.tsv"

Row = tuple[str, str, str]  # (text, label, group) — group: the review a NoReC sentence comes from


# -- data ------------------------------------------------------------------------------------------------------------
def load_norec(data_dir: Path, split: str) -> list[Row]:
    """NoReC sentences of ``split`` ("train" or "dev") as (text, label, review id), labels lower-cased."""
    with (data_dir / NOREC / f"{split}.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return [(str(d["text"]), str(d["label"]).lower(), str(d["sent_id"]).split("-")[0]) for d in data]


def fi_xed_split(data_dir: Path) -> tuple[list[Row], list[Row]]:
    """(train, held-out test) of fi_xed: distinct lines sorted, shuffled with a fixed seed, the first 20 % held out.
    Each line is its own group (subtitle lines carry no film id)."""
    with (data_dir / FI_XED).open(encoding="utf-8", newline="") as fh:
        lines = sorted({(str(r["text"]), str(r["polarity"])) for r in csv.DictReader(fh, delimiter="\t")})
    rows = [(text, label, str(i)) for i, (text, label) in enumerate(lines)]
    random.Random(SEED).shuffle(rows)
    cut = int(len(rows) * FI_XED_TEST_SHARE)
    return rows[cut:], rows[:cut]


def load_labelled(name: str = "sentiment_dev.jsonl") -> list[dict[str, str]]:
    """A hand-written set: ``{"id", "language", "text", "label"}`` per line."""
    return read_jsonl(LABELLED_DIR / name)


# -- fitting ---------------------------------------------------------------------------------------------------------
def fit_model(rows: Sequence[Row], labels: Sequence[str]) -> LinearModel:
    return train_linear([model_text(r[0], PREFIX_CHARS) for r in rows], [r[1] for r in rows], config=CONFIG,
                        label_order=labels, c=C, min_count=MIN_COUNT, meta={"prefix_chars": PREFIX_CHARS})


def out_of_fold(rows: Sequence[Row], labels: Sequence[str]) -> list[np.ndarray]:
    """Model probabilities for every row from a model that did not see the row's group (FOLDS folds by group)."""
    groups = sorted({r[2] for r in rows})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    probs: list[np.ndarray] = [np.zeros(len(labels))] * len(rows)
    for k in range(FOLDS):
        model = fit_model([r for r in rows if fold_of[r[2]] != k], labels)
        for i, r in enumerate(rows):
            if fold_of[r[2]] == k:
                probs[i] = model.proba(model_text(r[0], PREFIX_CHARS))
    return probs


def fit_stacker(x: np.ndarray, y: Sequence[str], weights: np.ndarray) -> dict[str, object]:
    """A three-class logistic regression over :func:`stacker_features`; returned as plain lists for the meta."""
    from sklearn.linear_model import LogisticRegression

    target = np.array([LABELS.index(v) for v in y])
    clf = LogisticRegression(C=STACKER_C, max_iter=5000)
    clf.fit(x, target, sample_weight=weights)
    return {"labels": list(LABELS), "coef": np.round(clf.coef_, 6).tolist(),
            "intercept": np.round(clf.intercept_, 6).tolist()}


def stacker_rows(model_labels: Sequence[str], rows: Sequence[Row], probs: Sequence[np.ndarray],
                 dev: Sequence[dict[str, str]], dev_model: LinearModel, language: str
                 ) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Features, labels and weights: in-domain out-of-fold rows and the development rows, each domain weighing
    (1 − CS_WEIGHT) and CS_WEIGHT of the total, and the classes balanced within each domain."""
    xs: list[list[float]] = []
    ys: list[str] = []
    ws: list[float] = []
    in_domain = [(stacker_features(r[0], language, dict(zip(model_labels, map(float, p), strict=True))), r[1])
                 for r, p in zip(rows, probs, strict=True)]
    cs = [(stacker_features(d["text"], d["language"], model_proba(dev_model, d["text"])), d["label"]) for d in dev]
    for part, share in ((in_domain, 1.0 - CS_WEIGHT), (cs, CS_WEIGHT)):
        counts = Counter(lab for _, lab in part)
        for feats, lab in part:
            xs.append(feats)
            ys.append(lab)
            ws.append(share / (len(counts) * counts[lab]))
    w = np.array(ws)
    return np.array(xs), ys, w * len(w) / w.sum()


def train_language(language: str, rows: Sequence[Row], model_labels: Sequence[str],
                   summary: dict[str, object]) -> LinearModel:
    """Out-of-fold probabilities → stacker; then the final model on all rows, with the stacker in its meta."""
    dev = [d for d in load_labelled() if d["language"] in DEV_LANGUAGES[language]]
    dev.sort(key=lambda d: d["id"])
    probs = out_of_fold(rows, model_labels)
    model = fit_model(rows, model_labels)
    x, y, w = stacker_rows(model_labels, rows, probs, dev, model, language)
    model.meta = {**summary, "stacker": fit_stacker(x, y, w), "prefix_chars": PREFIX_CHARS, "c": C,
                  "min_count": MIN_COUNT, "folds": FOLDS, "cs_weight": CS_WEIGHT,
                  "development_rows": len(dev)}
    return model


def train(data_dir: Path, out_dir: Path) -> dict[str, object]:
    """Fit both models and write ``sentiment_nb.npz`` and ``sentiment_fi.npz`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, object] = {}

    norec = sorted(load_norec(data_dir, "train"))
    nb_summary: dict[str, object] = {
        "artefact": "sentiment_nb.npz",
        "source": "NoReC_sentence 3class train (ltgoslo/norec_sentence 7918ed9b; CC BY-NC 4.0, models free to use)"
                  " + webcare/triage/labelled/sentiment_dev.jsonl nb/nn (MIT)",
        "rows": len(norec), "label_counts": dict(sorted(Counter(r[1] for r in norec).items())),
        "labels": list(LABELS)}
    nb = train_language("nb", norec, LABELS, nb_summary)
    nb.save(out_dir / "sentiment_nb.npz")
    summaries["nb"] = {**nb_summary, "features": len(nb.vocab)}

    fi_train, fi_test = fi_xed_split(data_dir)
    fi_train.sort()
    fi_labels = ("negative", "positive")
    fi_summary: dict[str, object] = {
        "artefact": "sentiment_fi.npz",
        "source": "fi_xed_polarity_derived.tsv (Helsinki-NLP/XED 76666d251f, CC BY 4.0), 80 % seeded split"
                  " + webcare/triage/labelled/sentiment_dev.jsonl fi (MIT)",
        "rows": len(fi_train), "held_out_rows": len(fi_test), "seed": SEED,
        "label_counts": dict(sorted(Counter(r[1] for r in fi_train).items())), "labels": list(fi_labels)}
    fi = train_language("fi", fi_train, fi_labels, fi_summary)
    fi.save(out_dir / "sentiment_fi.npz")
    summaries["fi"] = {**fi_summary, "features": len(fi.vocab)}
    return summaries
