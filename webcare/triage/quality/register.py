"""How well register (formal/informal address) detection works, on our hand-written set.

No public labelled data marks T/V address in customer messages, so the set is ours:
``labelled/register.jsonl`` (≥ 25 messages per language, English included, where every answer is "unknown"), with
hard cases: sentence-initial "De"/"Sie"/"I" (they/she/in), quoted agent text, mixed messages, plural "you".
Rows marked ``"batch": "with_rules"`` were written while the rules were; ``"after_rules"`` rows were written
afterwards and scored once without changing the rules: the fairer estimate for unseen text. The rules have no
trained part, so there is nothing to cross-validate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from webcare.triage.paths import LABELLED_DIR, read_jsonl
from webcare.triage.quality import Section, confusion_table
from webcare.triage.register import detect_register

LABELS = ("formal", "informal", "unknown")
LANGUAGES = ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")


def load(path: Path | None = None) -> list[dict[str, str]]:
    path = path or LABELLED_DIR / "register.jsonl"
    return read_jsonl(path)


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0


def evaluate(data_dir: Path) -> Section:
    del data_dir  # only the project's own set exists for this task
    rows = load()
    predicted = [detect_register(r["text"], r["language"]) for r in rows]
    gold = [r["register"] for r in rows]
    parts = [f"{len(rows)} hand-written messages (`webcare/triage/labelled/register.jsonl`). Rules only.", "",
             "| language | messages | accuracy | written after the rules: messages | accuracy |",
             "|---|---|---|---|---|"]
    for language in LANGUAGES:
        idx = [i for i, r in enumerate(rows) if r["language"] == language]
        late = [i for i in idx if rows[i].get("batch") == "after_rules"]
        parts.append(f"| {language} | {len(idx)} | {accuracy([gold[i] for i in idx], [predicted[i] for i in idx]):.3f}"
                     f" | {len(late)} | {accuracy([gold[i] for i in late], [predicted[i] for i in late]):.3f} |")
    late_all = [i for i, r in enumerate(rows) if r.get("batch") == "after_rules"]
    overall = accuracy(gold, predicted)
    late_acc = accuracy([gold[i] for i in late_all], [predicted[i] for i in late_all])
    parts.append(f"| **all** | {len(rows)} | **{overall:.3f}** | {len(late_all)} | {late_acc:.3f} |")
    parts += ["", "Confusion (all languages):", "", confusion_table(gold, predicted, LABELS)]
    misses = [r for r, p in zip(rows, predicted, strict=True) if r["register"] != p]
    if misses:
        parts += ["", "Misses:", ""]
        parts += [f"- {r['language']}: “{r['text']}” — labelled {r['register']}" for r in misses]
    return Section(title="Register", markdown="\n".join(parts),
                   figures={"register accuracy (self-written set)": round(overall, 4),
                            "register accuracy (written after the rules)": round(late_acc, 4)})
