"""Train the word model of language identification: naive Bayes over the words of the eight default languages.

The model has two jobs (see :mod:`webcare.triage.language`): a cheap screen that answers on its own when the words
leave no doubt, and, among nb/nn/da/sv, the word half of the final decision next to lingua's character n-grams.

Why naive Bayes and not :func:`~webcare.triage.linear.train_linear`: with a few thousand sentences per language,
5-fold cross-validation on the UD sentences (nb/nn/da/sv only) gave 95.4–95.6 % for multinomial naive Bayes on words and
character n-grams against 90.2 % for logistic regression, and naive Bayes on *words alone* complements lingua best
(lingua 94.1 %, lingua + words 97.4 % on the same folds). Naive Bayes is a linear model, so the artefact is an
ordinary :class:`~webcare.triage.linear.LinearModel`: weights are per-word log-likelihoods centred across languages,
the bias is a uniform prior, and the decision constants (screen margin, candidate range, lingua's weight) go in its
meta.

Training text, every source with all its languages in comparable amounts (a source with one language only — NoReC's
bokmål reviews, say — teaches that every common Scandinavian word is bokmål):

- ``langid/dev.tsv``: Universal Dependencies dev sentences (CC BY-SA 4.0);
- ``langid/leipzig_lingua_testdata.tsv``: the Leipzig *sentences* (CC BY). Its word pairs and single words are cut
  from those sentences, so they add nothing and would leak into any evaluation on them. The Leipzig "bokmål" corpus
  contains nynorsk; items with unmistakable words of the other written standard are dropped
  (:func:`drop_mislabelled_norwegian`, training only — evaluation keeps every item);
- Django's own UI translations (``django/**/locale/<lang>/LC_MESSAGES/*.po``, BSD-3-Clause, installed with the
  project; English from the ``msgid`` s): short interface sentences in every language, nynorsk included;
- ``webcare/triage/labelled/language.jsonl``: the project's hand-written customer-service messages (MIT).
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from webcare.triage import language
from webcare.triage.language import DEFAULT_LANGUAGES, clean_text, words
from webcare.triage.linear import FeatureConfig, LinearModel, tokens
from webcare.triage.paths import LABELLED_DIR, read_jsonl

ARTEFACT = "language.npz"
#: Whole words only (what :func:`webcare.triage.language.words` extracts): lingua covers character n-grams.
CONFIG = FeatureConfig(words=True, bigrams=False, char_min=0, char_max=0, lowercase=True)
#: Additive smoothing of the word counts (0.1 and 0.5 were within 0.1 point in cross-validation).
SMOOTHING = 0.1
#: Decision constants stored in the artefact's meta. lingua's weight was chosen among {1, 2, 4} and the screen among
#: margins {8, 12, 16, 24} × ranges {6, 10} × at most {2, 3, 4} candidates by 5-fold cross-validation on the UD and
#: the Leipzig sentences: accuracy was flat across the screen settings (±0.1 point), so the one that calls lingua
#: least often won (lingua on ~20 % of sentences instead of all).
DECISION = {"lingua_weight": language.LINGUA_WEIGHT, "screen_margin": language.SCREEN_MARGIN,
            "candidate_range": language.CANDIDATE_RANGE, "max_candidates": language.MAX_CANDIDATES}
LEIPZIG_KINDS = ("sentences", "word-pairs", "single-words")

Row = tuple[str, str]  # (language, text)

# Words that exist in one Norwegian written standard only; used to drop mislabelled Leipzig training items.
_BOKMAAL_ONLY = frozenset("ikke jeg hva hvordan hvorfor hvem hvis hvor noe noen mye ble".split())
_NYNORSK_ONLY = frozenset("ikkje eg ein eit frå vart kva korleis kvifor berre noko nokon mykje dykk hjå kven".split())
_PO_FORMAT = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>|\\n|\\\"")


def load_ud(data_dir: Path) -> list[Row]:
    """The UD dev sentences of the eight languages (``lang \\t text``)."""
    with (data_dir / "langid" / "dev.tsv").open(encoding="utf-8", newline="") as fh:
        return [(r["lang"], r["text"]) for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]


def load_leipzig(data_dir: Path) -> dict[str, list[Row]]:
    """Leipzig items by kind ("sentences", "word-pairs", "single-words"), eight languages each."""
    out: dict[str, list[Row]] = {kind: [] for kind in LEIPZIG_KINDS}
    with (data_dir / "langid" / "leipzig_lingua_testdata.tsv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            out.setdefault(r["kind"], []).append((r["lang"], r["text"]))
    return out


def load_own(path: Path | None = None) -> list[Row]:
    """The project's hand-written messages, ``{"lang": …, "text": …}`` per line."""
    path = path or LABELLED_DIR / "language.jsonl"
    return [(r["lang"], r["text"]) for r in read_jsonl(path)]


def load_django(languages: Iterable[str] = DEFAULT_LANGUAGES) -> list[Row]:
    """Django's UI strings with at least two words, format placeholders and markup removed: the translations
    (``msgstr``) per language, and for English the source strings (``msgid``, taken from the German catalogues)."""
    return list(_django_rows(tuple(languages)))


@functools.cache
def _django_rows(languages: tuple[str, ...]) -> tuple[Row, ...]:
    import django

    root = Path(django.__file__).resolve().parent
    rows: list[Row] = []
    for lang in languages:
        folder, key = ("de", "msgid(?:_plural)?") if lang == "en" else (lang, r"msgstr(?:\[\d\])?")
        for po in sorted(root.rglob(f"locale/{folder}/LC_MESSAGES/*.po")):
            text = po.read_text(encoding="utf-8")
            for m in re.finditer(rf'^{key} ((?:".*"\n?)+)', text, re.MULTILINE):
                s = _PO_FORMAT.sub(" ", "".join(re.findall(r'"(.*)"', m.group(1)))).strip()
                if sum(1 for t in tokens(s) if t[0].isalpha()) >= 2:
                    rows.append((lang, s))
    return tuple(rows)


def drop_mislabelled_norwegian(rows: Iterable[Row]) -> list[Row]:
    """Rows minus nb items containing a nynorsk-only word and nn items containing a bokmål-only word."""
    out = []
    for lang, text in rows:
        found = set(tokens(text))
        if (lang == "nb" and found & _NYNORSK_ONLY) or (lang == "nn" and found & _BOKMAAL_ONLY):
            continue
        out.append((lang, text))
    return out


def training_rows(data_dir: Path, *, ud: Sequence[Row] | None = None, leipzig: Sequence[Row] | None = None,
                  own: Sequence[Row] | None = None) -> dict[str, list[Row]]:
    """The training rows per source; ``ud``/``leipzig``/``own`` replace a source (cross-validation folds).

    Leipzig means its sentences only (see the module docstring).
    """
    return {
        "ud": list(load_ud(data_dir) if ud is None else ud),
        "leipzig": drop_mislabelled_norwegian(load_leipzig(data_dir)["sentences"] if leipzig is None else leipzig),
        "django": load_django(),
        "own": list(load_own() if own is None else own),
    }


def fit_word_model(rows: Sequence[Row], *, smoothing: float = SMOOTHING,
                   meta: dict[str, object] | None = None) -> LinearModel:
    """Multinomial naive Bayes on the distinct words of each (cleaned) row, as a :class:`LinearModel`.

    Deterministic: the vocabulary is sorted and nothing is random.
    """
    labels = tuple(lang for lang in DEFAULT_LANGUAGES if any(lang == r[0] for r in rows))
    counts: dict[str, Counter[str]] = {lab: Counter() for lab in labels}
    for lang, text in rows:
        if lang in counts:
            counts[lang].update(words(clean_text(text)))
    vocab_list = sorted(set().union(*counts.values()))
    vocab = {f: i for i, f in enumerate(vocab_list)}
    weights = np.zeros((len(vocab_list), len(labels)), dtype=np.float64)
    for j, lab in enumerate(labels):
        total = sum(counts[lab].values()) + smoothing * len(vocab_list)
        column = np.array([counts[lab][f] for f in vocab_list], dtype=np.float64)
        weights[:, j] = np.log(column + smoothing) - math.log(total)
    weights -= weights.mean(axis=1, keepdims=True)  # a constant per word changes no decision; keeps float16 exact
    info = {**DECISION, "smoothing": smoothing, "kind": "multinomial naive Bayes (words)",
            "rows": dict(sorted(Counter(lang for lang, _ in rows if lang in counts).items()))}
    return LinearModel(labels=labels, vocab=vocab, weights=weights.astype(np.float32),
                       bias=np.zeros(len(labels), dtype=np.float32), config=CONFIG, multilabel=False,
                       meta={**info, **(meta or {})})


def train(data_dir: Path, out_dir: Path) -> dict[str, object]:
    """Fit the shipped word model on every source and write ``language.npz``."""
    sources = training_rows(data_dir)
    rows = [row for name in sorted(sources) for row in sources[name]]
    summary: dict[str, object] = {
        "artefact": ARTEFACT,
        "sources": {name: len(rs) for name, rs in sorted(sources.items())},
        "labels": list(DEFAULT_LANGUAGES),
    }
    model = fit_word_model(rows, meta={"sources": summary["sources"]})
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / ARTEFACT)
    summary["vocabulary"] = len(model.vocab)
    summary["bytes"] = (out_dir / ARTEFACT).stat().st_size
    return summary
