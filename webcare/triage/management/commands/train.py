"""``webcare train``: rebuild triage's small models from labelled data, reproducibly.

Each model has a module in ``webcare/triage/training/`` (see its package docstring for the contract). Training is
deterministic, so ``--check`` retrains into a temporary folder and proves each committed artefact is byte for byte
what the script makes from the data.

The numerical libraries' thread pools are held at one thread while training: BLAS splits a sum over its threads, so
the last bits of a solver's steps depend on how many there are, and that number comes from the environment
(``OMP_NUM_THREADS``, which e.g. the e5 engine sets for its process) or from the cores. One thread makes the same
artefact on every machine and in every process, and these models train in seconds anyway.
"""

from __future__ import annotations

import filecmp
import importlib
import pkgutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress

from webcare.triage import training
from webcare.triage.management.commands._options import (
    PROGRESS_COLUMNS,
    add_data_argument,
    chosen_tasks,
    data_dir,
)
from webcare.triage.paths import MODELS_DIR


def available_tasks() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(training.__path__))


class Command(BaseCommand):
    help = "Train triage's models (language, sentiment, abuse, intent …) from labelled data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tasks", nargs="*",
                            help=f"models to train (default: all of {', '.join(available_tasks())})")
        add_data_argument(parser)
        parser.add_argument("--out", type=Path, default=MODELS_DIR, help="where artefacts go (default: %(default)s)")
        parser.add_argument("--check", action="store_true",
                            help="retrain into a temporary folder and compare with the committed artefacts")

    def handle(self, *args: Any, **options: Any) -> None:
        # BLAS libraries are limited only once loaded: load the solvers' (numpy's and scipy's) before the limit.
        import scipy.linalg  # noqa: F401
        import sklearn.linear_model  # noqa: F401
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            self._train(options)

    def _train(self, options: dict[str, Any]) -> None:
        tasks = chosen_tasks(options["tasks"], available_tasks())
        data = data_dir(options["data"])
        console = Console(stderr=True)
        with tempfile.TemporaryDirectory() as scratch:
            out: Path = Path(scratch) if options["check"] else options["out"]
            out.mkdir(parents=True, exist_ok=True)
            with Progress(*PROGRESS_COLUMNS, console=console) as progress:
                for task in tasks:
                    bar = progress.add_task(f"training {task}", total=1)
                    started = time.perf_counter()
                    module = importlib.import_module(f"webcare.triage.training.{task}")
                    summary = module.train(data, out)
                    progress.update(bar, completed=1,
                                    description=f"trained {task} in {time.perf_counter() - started:.0f} s")
                    console.print(f"  {task}: {summary}")
            if options["check"]:
                self._compare(out, options["out"], console)

    def _compare(self, fresh: Path, committed: Path, console: Console) -> None:
        differ = []
        for artefact in sorted(fresh.glob("*.npz")):
            target = committed / artefact.name
            same = target.exists() and filecmp.cmp(artefact, target, shallow=False)
            console.print(f"  {artefact.name}: {'identical' if same else 'DIFFERENT'}")
            if not same:
                differ.append(artefact.name)
        if differ:
            raise CommandError(f"retrained artefacts differ from the committed ones: {', '.join(differ)}")
