"""What `webcare train` and `webcare eval` share: choosing tasks and finding the labelled data, with clear errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

from webcare.triage.paths import default_data_dir

PROGRESS_COLUMNS = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())


def add_data_argument(parser: CommandParser) -> None:
    parser.add_argument("--data", type=Path, default=None,
                        help="labelled data folder (default: $WEBCARE_TRAINING_DATA or ../shared/data)")


def chosen_tasks(requested: Sequence[str], known: Sequence[str]) -> list[str]:
    """The requested tasks (all when none), refusing unknown names with the list of known ones."""
    unknown = sorted(set(requested) - set(known))
    if unknown:
        raise CommandError(f"unknown task(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return list(requested) or list(known)


def data_dir(option: Path | None) -> Path:
    """The labelled-data folder from ``--data`` or the default, which must exist."""
    found = option or default_data_dir()
    if not found.is_dir():
        raise CommandError(f"labelled data folder {found} does not exist (set --data or WEBCARE_TRAINING_DATA)")
    return found
