"""``webcare retention``: apply the retention policies now, or (``--dry-run``) show what would go.

The daily automation applies them by itself (webcare/retention/apply.py); this is for an admin who wants to see the
effect of a policy before the night, or to apply a shortened one at once. Per policy it prints how many items would
go (or went) and the date the oldest one's days began; a real run shows a progress bar per policy on stderr and is
recorded like the daily one (run report, audit entry).
"""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from webcare.core.bootstrap import ensure_migrated, organisation_by_slug
from webcare.core.models import Organisation
from webcare.retention.actions import ensure_default_policies
from webcare.retention.apply import PolicyReport, preview, run_now
from webcare.retention.labels import channel_label, data_kind_label
from webcare.retention.plan import Cutoff


def report_table(org: Organisation, reports: list[PolicyReport], dry_run: bool) -> Table:
    title = f"{org.name} ({org.slug}): " + ("what would go now — nothing was changed" if dry_run else "removed now")
    table = Table(title=title)
    for column in ("policy", "data", "channel", "kept", "before", "would go" if dry_run else "removed", "oldest"):
        table.add_column(column, justify="right" if column in ("policy", "kept", "would go", "removed") else "left")
    for report in reports:
        table.add_row(str(report.policy), data_kind_label(report.data_kind), channel_label(report.channel_kind),
                      f"{report.days} days", report.cutoff[:10], f"{report.count:,}",
                      (report.oldest or "")[:10] or "—")
    if not reports:
        table.add_row("—", "no policies", "", "", "", "0", "—")
    return table


class Command(BaseCommand):
    help = "Apply the retention policies now, or show with --dry-run what they would remove."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="only count, per policy, what would go now and the oldest item; change nothing")
        parser.add_argument("--org", metavar="SLUG", help="one organisation (default: every organisation)")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        organisations = ([organisation_by_slug(options["org"])] if options["org"]
                         else list(Organisation.objects.order_by("slug")))
        console = Console(file=cast(TextIO, self.stdout), width=140)
        for org in organisations:
            if options["dry_run"]:
                console.print(report_table(org, preview(org, timezone.now()), dry_run=True))
                continue
            ensure_default_policies(org)
            with self._progress() as progress:
                tasks: dict[int, TaskID] = {}

                def advance(cutoff: Cutoff, total: int | None, done: int, progress: Progress = progress,
                            tasks: dict[int, TaskID] = tasks) -> None:
                    if cutoff.policy_id not in tasks:
                        label = f"{data_kind_label(cutoff.data_kind)}, {channel_label(cutoff.channel_kind)}"
                        tasks[cutoff.policy_id] = progress.add_task(label, total=total or 0)
                    progress.advance(tasks[cutoff.policy_id], done)

                finished = run_now(org, None, progress=advance, label="webcare retention")
            console.print(report_table(org, [PolicyReport(**row) for row in finished.report], dry_run=False))
            console.print(f"Run {finished.pk} recorded: {finished.removed:,} items removed.")

    def _progress(self) -> Progress:
        """A bar per policy on stderr (rich needs the raw stream: Django's wrapper adds a newline per write)."""
        stream = getattr(self.stderr, "_out", self.stderr)
        return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(file=cast(TextIO, stream)))
