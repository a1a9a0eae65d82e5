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


def f1_table(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> tuple[str, float]:
    """A markdown table of precision/recall/F1 per label and the macro-F1 over ``labels``."""
    rows = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        rows.append(f"| {label} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {tp + fn} |")
    macro = sum(f1s) / len(f1s) if f1s else 0.0
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
