"""Accuracy evaluation of each detector (``webcare eval``): one module per task, each returning a :class:`Section`.

Every module exposes ``evaluate(data_dir: Path) -> Section``. ``data_dir`` is the labelled-data folder
(``../shared/data`` beside the checkout by default); a module also scores the project's own labelled sets in
``webcare/triage/labelled/``. Numbers are computed on data the model was not trained on (held-out split or
cross-validation), and the section says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Section:
    """One part of docs/quality.md: a heading, markdown body (tables), and the headline figures for the summary."""

    title: str
    markdown: str
    #: Headline figures, e.g. {"accuracy (8 languages, UD sentences)": 0.973}; shown in the summary table.
    figures: dict[str, float] = field(default_factory=dict)
    #: The target each headline figure is held to, same keys (missing: no target).
    targets: dict[str, float] = field(default_factory=dict)


def label_counts[T](gold: Sequence[T], predicted: Sequence[T], label: T) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of one label."""
    pairs = list(zip(gold, predicted, strict=True))
    tp = sum(1 for g, p in pairs if g == label and p == label)
    fp = sum(1 for g, p in pairs if g != label and p == label)
    fn = sum(1 for g, p in pairs if g == label and p != label)
    return tp, fp, fn


def label_f1[T](gold: Sequence[T], predicted: Sequence[T], label: T) -> float:
    """F1 of one label (2·tp / (2·tp + fp + fn); 0 without a true positive)."""
    tp, fp, fn = label_counts(gold, predicted, label)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1[T](gold: Sequence[T], predicted: Sequence[T], labels: Sequence[T]) -> float:
    """The mean F1 over ``labels`` (for a yes/no task, labels ``(True, False)``: the shared tasks' measure)."""
    return sum(label_f1(gold, predicted, label) for label in labels) / len(labels) if labels else 0.0


def f1_table(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> tuple[str, float]:
    """A markdown table of precision/recall/F1 per label and the macro-F1 over ``labels``."""
    rows = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label in labels:
        tp, fp, fn = label_counts(gold, predicted, label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        rows.append(f"| {label} | {precision:.3f} | {recall:.3f} | {label_f1(gold, predicted, label):.3f} | "
                    f"{tp + fn} |")
    macro = macro_f1(gold, predicted, labels)
    rows.append(f"| **macro** | | | **{macro:.3f}** | {len(gold)} |")
    return "\n".join(rows), macro


def confusion_table(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> str:
    """A markdown confusion matrix (rows: true label, columns: predicted; 'other' collects the rest)."""
    cols = [*labels, "other"]
    head = "| true ↓ / predicted → | " + " | ".join(cols) + " |"
    rows = [head, "|" + "---|" * (len(cols) + 1)]
    for label in labels:
        counts = dict.fromkeys(cols, 0)
        for g, p in zip(gold, predicted, strict=True):
            if g == label:
                counts[p if p in labels else "other"] += 1
        rows.append(f"| **{label}** | " + " | ".join(str(counts[c]) for c in cols) + " |")
    return "\n".join(rows)
