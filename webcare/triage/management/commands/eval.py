"""``webcare eval``: score every detector on labelled data and write docs/quality.md.

Each detector has a module in ``webcare/triage/quality/`` returning a :class:`~webcare.triage.quality.Section`; this
command runs them, puts a summary table of the headline figures against the issue's targets first, and writes the
page. Figures are computed fresh on every run — nothing in the page is typed in by hand.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress

from webcare.triage import quality
from webcare.triage.management.commands._options import (
    PROGRESS_COLUMNS,
    add_data_argument,
    chosen_tasks,
    data_dir,
)
from webcare.triage.paths import PACKAGE_DIR
from webcare.triage.quality import Section

ORDER = ["language", "pii", "profanity", "sentiment", "intent", "register", "faq"]


def available_tasks() -> list[str]:
    found = [info.name for info in pkgutil.iter_modules(quality.__path__)]
    return sorted(found, key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name))


def summary_table(sections: list[Section]) -> str:
    rows = ["| figure | measured | target | |", "|---|---|---|---|"]
    for section in sections:
        for name, value in section.figures.items():
            target = section.targets.get(name)
            verdict = "" if target is None else ("met" if value >= target else "**short**")
            shown_target = "" if target is None else f"≥ {target:.2f}"
            rows.append(f"| {name} | {value:.3f} | {shown_target} | {verdict} |")
    return "\n".join(rows)


#: Sections after this line are measured by benchmarks, not by ``webcare eval`` (e.g. the choir detector's replay in
#: benchmarks/choir.py, minutes of work): rewriting the page keeps them as they are.
KEPT_MARKER = "<!-- Measured by the benchmarks each section below names; `webcare eval` keeps this part. -->"


def kept_tail(path: Path) -> str:
    """The benchmark-measured part of an existing page (from :data:`KEPT_MARKER` on), or nothing."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    at = text.find(KEPT_MARKER)
    return text[at:] if at >= 0 else ""


def render(sections: list[Section], data: Path, seconds: float, tail: str = "") -> str:
    parts = [
        "# Triage quality",
        "",
        "Written by `webcare eval` (do not edit by hand: rerun it). Every figure is measured on data the detector was "
        "not trained on — a held-out split, cross-validation, or a separate set — as each section says. The "
        "product is also judged on sentences nobody here has seen; these numbers are our best honest estimate. "
        "Where a set was written by the same people who wrote a detector's rules or word lists (the self-written "
        "sets), its figure is optimistic; the figures on independent data (UD and Leipzig sentences, NoReC, "
        "fi_xed, OffensEval and GermEval held-out posts, real customer tweets labelled by us) are the ones to plan "
        "with.",
        "",
        f"Run {timezone.now():%Y-%m-%d %H:%M} UTC on Python {platform.python_version()}, in {seconds:.0f} s; "
        f"labelled data from `{os.path.relpath(data, PACKAGE_DIR.parents[1])}/` and `webcare/triage/labelled/`.",
        "",
        "## Summary",
        "",
        summary_table(sections),
    ]
    for section in sections:
        parts += ["", f"## {section.title}", "", section.markdown.strip()]
    if tail:
        parts += ["", tail.strip()]
    return "\n".join(parts) + "\n"


class Command(BaseCommand):
    help = "Score triage on the labelled sets and write docs/quality.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tasks", nargs="*", help=f"detectors to score (default: all of {', '.join(ORDER)})")
        add_data_argument(parser)
        parser.add_argument("--out", type=Path, default=PACKAGE_DIR.parents[1] / "docs" / "quality.md",
                            help="the page to write (default: docs/quality.md; '-' prints it)")

    def handle(self, *args: Any, **options: Any) -> None:
        tasks = chosen_tasks(options["tasks"], available_tasks())
        data = data_dir(options["data"])
        console = Console(stderr=True)
        sections = []
        started = time.perf_counter()
        with Progress(*PROGRESS_COLUMNS, console=console) as progress:
            for task in tasks:
                bar = progress.add_task(f"scoring {task}", total=1)
                section = importlib.import_module(f"webcare.triage.quality.{task}").evaluate(data)
                sections.append(section)
                progress.update(bar, completed=1, description=f"scored {task}")
        out = options["out"]
        page = render(sections, data, time.perf_counter() - started, "" if str(out) == "-" else kept_tail(out))
        console.print(summary_table(sections))
        if str(options["out"]) == "-":
            self.stdout.write(page)
        else:
            options["out"].write_text(page, encoding="utf-8")
            console.print(f"wrote {options['out']}")
