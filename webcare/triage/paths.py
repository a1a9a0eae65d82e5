"""Where triage finds its shipped models, its own labelled sets and the external labelled data."""

from __future__ import annotations

import os
from pathlib import Path

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
