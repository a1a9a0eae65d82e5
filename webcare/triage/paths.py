"""Where triage finds its shipped models, its own labelled sets and the external labelled data."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
#: The trained artefacts that ship inside the package (rebuilt by ``webcare train``).
MODELS_DIR = PACKAGE_DIR / "models"
#: The project's own hand-written labelled sets (MIT, like the code).
LABELLED_DIR = PACKAGE_DIR / "labelled"
#: Word lists (profanity, sentiment, intent cues) with their SOURCE.md notes.
LEXICONS_DIR = PACKAGE_DIR / "lexicons"


def default_data_dir() -> Path:
    """The external labelled data: ``$WEBCARE_TRAINING_DATA``, else ``../shared/data`` beside the checkout."""
    configured = os.environ.get("WEBCARE_TRAINING_DATA")
    if configured:
        return Path(configured)
    return PACKAGE_DIR.parents[2] / "shared" / "data"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file (a labelled set, a label file), blank lines skipped."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def labelled_messages(exclude: str = "") -> list[tuple[str, str]]:
    """(language, text) of every row that has both, across the project's labelled sets in file-name order — realistic
    customer messages in eight languages for benchmarks and cross-checks. ``exclude``: skip files whose name starts
    with it (a detector's own training set)."""
    rows = []
    for path in sorted(LABELLED_DIR.glob("*.jsonl")):
        if exclude and path.stem.startswith(exclude):
            continue
        rows += [(row["language"], row["text"]) for row in read_jsonl(path)
                 if isinstance(row.get("text"), str) and row.get("language")]
    return rows
