"""``webcare keys``: the keyring's state, master-key rotation, and encrypting what predates encryption.

    webcare keys status [--verify]     keys per master-key fingerprint and kind; unreadable keys; plaintext left
    webcare keys rotate                rewrap every data key (and channel credentials) with WEBCARE_MASTER_KEY
    webcare keys encrypt-existing      encrypt plaintext rows stored before encryption at rest

Rotation, step by step (docs/privacy.md): put the new key in ``WEBCARE_MASTER_KEY`` and the old one in
``WEBCARE_MASTER_KEY_PREVIOUS``, restart, run ``webcare keys rotate`` (resumable: run it again after an
interruption), check ``webcare keys status`` shows nothing under the previous key, then remove
``WEBCARE_MASTER_KEY_PREVIOUS`` and restart again.
"""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from webcare.audit.log import cli_actor
from webcare.core.bootstrap import ensure_migrated
from webcare.keys import backfill, rotation


class Command(BaseCommand):
    help = "Encryption keys: status, master-key rotation, encrypting data stored before encryption at rest."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="what", required=True, metavar="status|rotate|encrypt-existing")
        show = commands.add_parser("status", help="keys per master-key fingerprint; unreadable keys; plaintext left")
        show.add_argument("--verify", action="store_true", help="unwrap every key to prove it opens (slower)")
        commands.add_parser("rotate", help="rewrap every data key and channel credentials with WEBCARE_MASTER_KEY")
        fill = commands.add_parser("encrypt-existing", help="encrypt rows stored before encryption at rest")
        fill.add_argument("--batch", type=int, default=backfill.BATCH, help=f"rows per transaction (default "
                                                                              f"{backfill.BATCH})")

    def _console(self, err: bool = False) -> Console:
        return Console(file=cast(TextIO, self.stderr if err else self.stdout), width=140)

    def _progress(self) -> Progress:
        return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=self._console(err=True), transient=True)

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        {"status": self._status, "rotate": self._rotate, "encrypt-existing": self._encrypt}[options["what"]](options)

    def _status(self, options: dict[str, Any]) -> None:
        with self._progress() as progress:
            task = progress.add_task("verifying keys", total=None, visible=options["verify"])
            state = rotation.status(options["verify"], lambda n: progress.advance(task, n))
        table = Table(title=f"data keys: {state.total}")
        for column in ("master key", "", "customer", "organisation", "file", "hashing"):
            table.add_column(column)
        for fingerprint, kinds in sorted(state.by_fingerprint.items(), key=lambda item: item[0] != state.current):
            table.add_row(fingerprint, state.label(fingerprint), *(str(kinds.get(kind, 0)) for kind in
                                                                   ("customer", "organisation", "file", "hashing")))
        console = self._console()
        console.print(table)
        console.print(f"current master key: {state.current}"
                      + (f"; previous: {', '.join(state.previous)}" if state.previous else ""))
        console.print(f"unreadable keys: {state.unreadable}" + (f" (checked {state.checked})" if options["verify"]
                                                                   else ""))
        for key_id in state.unreadable_ids[:20]:
            console.print(f"  {key_id}")
        left = backfill.plaintext_counts()
        console.print("plaintext left from before encryption: " + ", ".join(f"{n} {what}" for what, n in left.items())
                      + ("" if not any(left.values()) else " (run `webcare keys encrypt-existing`)"))
        behind = sum(sum(kinds.values()) for fp, kinds in state.by_fingerprint.items() if fp != state.current)
        if behind:
            console.print(f"{behind} keys are not wrapped by the current master key: run `webcare keys rotate`")

    def _rotate(self, options: dict[str, Any]) -> None:
        total = rotation.keys_to_rewrap()
        with self._progress() as progress:
            task = progress.add_task("rewrapping data keys", total=total)
            report = rotation.rotate(lambda n: progress.advance(task, n), actor_label=cli_actor())
        console = self._console()
        console.print(f"master key {report.new_fingerprint}: {report.rewrapped} data keys rewrapped, "
                      f"{report.channels} channels' credentials re-encrypted")
        if report.unreadable_keys or report.unreadable_channels:
            for key_id in report.unreadable_keys[:20]:
                console.print(f"  unreadable data key {key_id}")
            for channel in report.unreadable_channels:
                console.print(f"  unreadable credentials of channel {channel}")
            raise CommandError(f"{len(report.unreadable_keys)} data keys and {len(report.unreadable_channels)} "
                               "channels could not be opened with any configured master key: put the master key "
                               "that wrapped them in WEBCARE_MASTER_KEY_PREVIOUS and run `webcare keys rotate` "
                               "again", returncode=1)

    def _encrypt(self, options: dict[str, Any]) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch: give a whole number of at least 1")
        left = backfill.plaintext_counts()
        with self._progress() as progress:
            tasks = {what: progress.add_task(f"encrypting {what}", total=n) for what, n in left.items()}
            result = backfill.encrypt_existing(lambda what, n: progress.advance(tasks[what], n), options["batch"])
        self._console().print("encrypted: " + ", ".join(f"{n} {what}" for what, n in result.counts.items()))
