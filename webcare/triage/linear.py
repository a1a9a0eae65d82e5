"""Small linear text classifiers: sparse n-gram features, a fixed vocabulary, logistic regression.

Why this shape: a message must be scored in tens of microseconds on one core (triage runs ≥ 2,000 messages/s), and
scikit-learn's per-call overhead is milliseconds. So training uses scikit-learn once (``webcare train``), and the
artefact is just a vocabulary and a weight matrix that inference reads with a dictionary lookup per feature and one
numpy sum. A vocabulary (not feature hashing) keeps the artefact readable, deterministic across Python processes and
small (only features seen at least ``min_count`` times are kept).
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"\[[A-Z_]+\]|[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[!?]+|[^\w\s]", re.UNICODE)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_URL_HINT = re.compile(r"://|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class FeatureConfig:
    """Which n-grams a model looks at. Stored with the model so training and inference always agree."""

    words: bool = True
    bigrams: bool = True
    char_min: int = 3
    char_max: int = 5  # 0 turns character n-grams off
    lowercase: bool = True

    def to_dict(self) -> dict[str, object]:
        return {"words": self.words, "bigrams": self.bigrams, "char_min": self.char_min, "char_max": self.char_max,
                "lowercase": self.lowercase}


def tokens(text: str, lowercase: bool = True) -> list[str]:
    """Words, numbers, runs of ! and ?, and single punctuation/emoji; URLs and @mentions become one token each."""
    if _URL_HINT.search(text):  # the substitutions cost more than the test, and most messages have neither
        text = _URL.sub(" http ", text)
    if "@" in text:
        text = _MENTION.sub(" @user ", text)
    if lowercase:
        text = text.lower()
    return _TOKEN.findall(text)


def features(text: str, config: FeatureConfig) -> list[str]:
    """The feature strings of one text (with repeats; callers de-duplicate)."""
    toks = tokens(text, config.lowercase)
    out: list[str] = ["w" + t for t in toks] if config.words else []  # comprehensions: faster than extend(generator)
    if config.bigrams:
        out += ["b" + a + " " + b for a, b in zip(toks, toks[1:], strict=False)]  # noqa: RUF007 (faster)
    if config.char_max:
        lo, hi = config.char_min, config.char_max
        for tok in toks:
            if not tok[0].isalpha():
                continue
            padded = " " + tok + " "
            n = len(padded)
            for size in range(lo, min(hi, n) + 1):
                out.extend("c" + padded[i : i + size] for i in range(n - size + 1))
    return out


@dataclass
class LinearModel:
    """A trained classifier: ``labels``, a vocabulary mapping feature → row, weights (rows × labels) and a bias.

    ``multilabel`` models score each label independently (sigmoid); others are one softmax over the labels.
    """

    labels: tuple[str, ...]
    vocab: dict[str, int]
    weights: np.ndarray
    bias: np.ndarray
    config: FeatureConfig = field(default_factory=FeatureConfig)
    multilabel: bool = False
    meta: dict[str, object] = field(default_factory=dict)

    def _rows(self, text: str) -> list[int]:
        get = self.vocab.get
        # Each distinct feature is looked up once (dict.fromkeys keeps first occurrences in order, so the set of rows
        # is built in the same order and sums to the same float32 bits): the vocabulary is large and, between other
        # detectors' work, rarely in the CPU cache, so every lookup saved counts.
        return list({i for i in map(get, dict.fromkeys(features(text, self.config))) if i is not None})

    def decision(self, text: str) -> np.ndarray:
        """Raw scores per label (before softmax/sigmoid)."""
        rows = self._rows(text)
        if not rows:
            return self.bias.copy()
        return self.weights[rows].sum(axis=0, dtype=np.float32) / math.sqrt(len(rows)) + self.bias

    def proba(self, text: str) -> np.ndarray:
        """Probabilities per label, in ``labels`` order."""
        z = self.decision(text)
        if self.multilabel or len(self.labels) == 1:
            return 1.0 / (1.0 + np.exp(-z))
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    def proba_dict(self, text: str) -> dict[str, float]:
        return {label: float(p) for label, p in zip(self.labels, self.proba(text), strict=True)}

    def predict(self, text: str) -> str:
        """The most likely label (single-label models)."""
        return self.labels[int(np.argmax(self.decision(text)))]

    # -- storage ---------------------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write ``path`` (.npz): float16 weights, the vocabulary in row order, and JSON metadata.

        Byte for byte reproducible (fixed zip timestamps), so ``webcare train --check`` can prove a committed artefact
        is exactly what the training script makes from its data.
        """
        order = sorted(self.vocab, key=self.vocab.__getitem__)
        header = {"labels": list(self.labels), "config": self.config.to_dict(), "multilabel": self.multilabel,
                  "meta": self.meta}
        arrays: dict[str, np.ndarray] = {"weights": self.weights.astype(np.float16),
                                         "bias": self.bias.astype(np.float32),
                  "vocab": np.array("\n".join(order)), "header": np.array(json.dumps(header, sort_keys=True))}
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                archive.writestr(info, buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            vocab_text = str(data["vocab"])
            vocab = {f: i for i, f in enumerate(vocab_text.split("\n"))} if vocab_text else {}
            return cls(labels=tuple(header["labels"]), vocab=vocab, weights=data["weights"].astype(np.float32),
                       bias=data["bias"].astype(np.float32), config=FeatureConfig(**header["config"]),
                       multilabel=bool(header["multilabel"]), meta=header.get("meta", {}))


def train_linear(texts: Sequence[str], labels: Sequence[str] | Sequence[Iterable[str]], *,
                 config: FeatureConfig | None = None, label_order: Sequence[str] | None = None,
                 multilabel: bool = False, min_count: int = 2, max_features: int = 200_000, c: float = 4.0,
                 class_weight: str | None = "balanced", meta: dict[str, object] | None = None) -> LinearModel:
    """Fit a :class:`LinearModel` deterministically (same data and arguments → same artefact).

    ``labels`` is one label per text, or (``multilabel=True``) an iterable of labels per text. Features are binary
    and each row is scaled by 1/sqrt(number of known features), exactly as :meth:`LinearModel.decision` does.
    """
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    config = config or FeatureConfig()
    feats = [set(features(t, config)) for t in texts]
    counts = Counter(f for fs in feats for f in fs)
    kept = sorted((f for f, n in counts.items() if n >= min_count), key=lambda f: (-counts[f], f))[:max_features]
    kept.sort()
    vocab = {f: i for i, f in enumerate(kept)}
    indptr, indices, values = [0], [], []
    for fs in feats:
        rows = sorted(vocab[f] for f in fs if f in vocab)
        indices.extend(rows)
        values.extend([1.0 / math.sqrt(len(rows))] * len(rows) if rows else [])
        indptr.append(len(indices))
    x = csr_matrix((np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
                   shape=(len(texts), len(vocab)))
    if multilabel:
        label_sets = [set(ls) for ls in labels]  # type: ignore[arg-type]
        order = tuple(label_order or sorted({lab for ls in label_sets for lab in ls}))
        weights = np.zeros((len(vocab), len(order)), dtype=np.float32)
        bias = np.zeros(len(order), dtype=np.float32)
        for j, label in enumerate(order):
            y = np.array([label in ls for ls in label_sets], dtype=int)
            if y.min() == y.max():  # a label that is always or never present: constant score
                bias[j] = 8.0 if y[0] else -8.0
                continue
            clf = LogisticRegression(C=c, class_weight=class_weight, max_iter=2000, solver="liblinear")
            clf.fit(x, y)
            weights[:, j] = clf.coef_[0]
            bias[j] = clf.intercept_[0]
    else:
        ys = [str(lab) for lab in labels]
        order = tuple(label_order or sorted(set(ys)))
        y = np.array([order.index(lab) for lab in ys])
        clf = LogisticRegression(C=c, class_weight=class_weight, max_iter=3000)
        clf.fit(x, y)
        if len(order) == 2:  # scikit-learn keeps one weight vector for two classes: spread it as ±w/2
            w = clf.coef_[0] / 2
            weights = np.stack([-w, w], axis=1).astype(np.float32)
            bias = np.array([-clf.intercept_[0] / 2, clf.intercept_[0] / 2], dtype=np.float32)
        else:
            weights = clf.coef_.T.astype(np.float32)
            bias = clf.intercept_.astype(np.float32)
    return LinearModel(labels=order, vocab=vocab, weights=weights, bias=bias, config=config, multilabel=multilabel,
                       meta=dict(meta or {}))
