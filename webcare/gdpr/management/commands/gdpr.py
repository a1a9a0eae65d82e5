"""``webcare gdpr find|export|erase|reapply``: data subject requests from the command line (docs/privacy.md).

- ``find IDENTIFIER [--org SLUG]``: who is known by an e-mail address, phone number, handle, platform id, customer
  number or name, and by what;
- ``export IDENTIFIER --out FILE.zip``: everything about them (GDPR art. 15 and 20);
- ``erase IDENTIFIER [--yes]``: shows what would go, asks, erases (art. 17) and prints the report;
- ``reapply``: after restoring a backup of the main database, erase again everyone erased since.

Exit codes: 0 done (also "nothing to erase": an erasure is idempotent); 1 no match, several people and no
``--customer``, or a refused confirmation; 2 unusable arguments (no such organisation, unwritable output).
``find`` prints names (how the operator tells people apart) and identities masked as every view masks them;
personal data is never logged or put in an error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from webcare.access.mask import mask_identity_value
from webcare.core.bootstrap import ensure_migrated
from webcare.core.models import Organisation
from webcare.customers.models import Identity
from webcare.gdpr import export as exporting
from webcare.gdpr.erase import REPORT_KINDS, NothingToErase, erase, prepare
from webcare.gdpr.find import Ambiguous, FindResult, Match, NoMatch, choose, find, organisation_region
from webcare.gdpr.identifiers import IdentifierError
from webcare.gdpr.labels import count_label, reason_text
from webcare.gdpr.reapply import ACTOR, reapply
from webcare.gdpr.scope import collect

NO_MATCH = 1
USAGE = 2


class Command(BaseCommand):
    help = "Data subject requests: find, export or erase a person by any identifier; reapply erasures after a restore."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        find_parser = actions.add_parser("find", help="list the people an identifier matches, and by what")
        export_parser = actions.add_parser("export", help="write everything about the person to a ZIP file")
        erase_parser = actions.add_parser("erase", help="erase the person everywhere (asks first unless --yes)")
        actions.add_parser("reapply", help="after a restore: erase again everyone in the erasure ledger")
        for sub in (find_parser, export_parser, erase_parser):
            sub.add_argument("identifier", help="e-mail address, phone number, @handle, platform id, customer "
                                                "number or name")
            sub.add_argument("--org", help="organisation slug (needed when there is more than one)")
        for sub in (export_parser, erase_parser):
            sub.add_argument("--customer", type=int, metavar="ID",
                             help="the customer id to act on when the identifier matches several people")
        export_parser.add_argument("--out", required=True, metavar="FILE.zip", help="where to write the ZIP")
        erase_parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout, migrate=False)
        self.console = Console(file=cast(TextIO, self.stdout), width=140)
        action = options["action"]
        if action == "reapply":
            self._reapply()
            return
        organisation = self._organisation(options.get("org"))
        if action == "export":
            out = self._output(options["out"])  # before the search: a typo in the path costs nothing
        try:
            result = find(organisation, options["identifier"])
        except IdentifierError as exc:
            raise CommandError(str(exc), returncode=USAGE) from exc
        if action == "find":
            self._find(result)
        elif action == "export":
            self._export(result, options.get("customer"), out)
        else:
            self._erase(result, options.get("customer"), options["yes"])

    # -- arguments ---------------------------------------------------------------------------------------------------

    def _organisation(self, slug: str | None) -> Organisation:
        if slug:
            found = Organisation.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"no organisation with slug {slug!r}", returncode=USAGE)
            return found
        slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:21])
        if len(slugs) == 1:
            return Organisation.objects.get(slug=slugs[0])
        if not slugs:
            raise CommandError("there is no organisation yet", returncode=USAGE)
        raise CommandError(f"there are several organisations: give --org ({', '.join(slugs[:20])})",
                           returncode=USAGE)

    def _output(self, value: str) -> Path:
        path = Path(value).expanduser()
        if path.is_dir():
            raise CommandError(f"{path} is a directory: give a file name such as {path / 'export.zip'}",
                               returncode=USAGE)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(f"cannot write {path}: the folder {folder} does not exist", returncode=USAGE)
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise CommandError(f"cannot write {path}: permission denied", returncode=USAGE)
        return path

    def _one(self, result: FindResult, customer_id: int | None) -> Match:
        try:
            return choose(result, customer_id)
        except Ambiguous as exc:
            self._matches(result)
            raise CommandError(f"{len(exc.matches)} people match this identifier: run again with --customer ID "
                               f"(one of {', '.join(str(m.customer.pk) for m in exc.matches)})",
                               returncode=NO_MATCH) from exc
        except NoMatch as exc:
            raise CommandError(f"{exc} in {result.organisation.slug}", returncode=NO_MATCH) from exc

    # -- find ------------------------------------------------------------------------------------------------------

    def _matches(self, result: FindResult) -> None:
        table = Table(title=f"{result.organisation.name}: {len(result.matches)} matching")
        for column in ("customer", "name", "merged rows", "identities", "matched by"):
            table.add_column(column)
        for match in result.matches:
            identities = Identity.objects.filter(customer_id__in=match.customer_ids).order_by("platform", "pk")
            shown = [f"{i.platform}:{mask_identity_value(i.platform, i.handle or i.external_id)}" for i in identities]
            table.add_row(str(match.customer.pk), match.customer.name or "—",
                          ", ".join(str(pk) for pk in match.customer_ids[1:]) or "—", "\n".join(shown) or "—",
                          "\n".join(reason_text(reason) for reason in match.reasons))
        self.console.print(table)
        if result.messages_scanned:
            self.console.print(f"{result.messages_scanned} messages with personal data of this kind were decrypted "
                               "to compare.")

    def _find(self, result: FindResult) -> None:
        if not result.matches:
            raise CommandError(f"no customer of {result.organisation.slug} matches this identifier",
                               returncode=NO_MATCH)
        self._matches(result)

    # -- export ----------------------------------------------------------------------------------------------------

    def _export(self, result: FindResult, customer_id: int | None, out: Path) -> None:
        match = self._one(result, customer_id)
        region = organisation_region(result.organisation)
        scope = collect(result.organisation.pk, match.customer_ids, region, result.identifier)
        export = exporting.prepare(result.organisation, scope)
        with Progress(TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                      TimeElapsedColumn(), console=self.console, transient=not sys.stdout.isatty()) as progress:
            task = progress.add_task("", total=export.steps)
            try:
                size = exporting.write_export(export, out, lambda what: progress.update(task, advance=1,
                                                                                        description=what))
            except OSError as exc:
                raise CommandError(f"cannot write {out}: {exc.strerror or exc}", returncode=USAGE) from exc
        # Audited once the file exists: a failed write disclosed nothing.
        exporting.record_export(export, identifier_hash=result.identifier.hash, actor_label="command line")
        counts = ", ".join(f"{count} {kind}" for kind, count in export.counts().items())
        self.stdout.write(f"Wrote {out} ({size:,} bytes): {counts}.")

    # -- erase -----------------------------------------------------------------------------------------------------

    def _erase(self, result: FindResult, customer_id: int | None, yes: bool) -> None:
        if not result.matches and customer_id is None:
            self.stdout.write(f"Nothing to erase: no customer of {result.organisation.slug} matches this identifier "
                              "(any more).")
            return
        match = self._one(result, customer_id)
        erasure = prepare(result.organisation, match.customer_ids, result.identifier)
        self._counts(f"Erasing customer {match.customer.pk} removes or blanks", erasure.counts())
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("not erased: confirm with --yes (standard input is not a terminal)",
                                   returncode=NO_MATCH)
            answer = input("Erase this person everywhere? This cannot be undone. Type 'erase' to go on: ")
            if answer.strip().lower() != "erase":
                raise CommandError("not erased", returncode=NO_MATCH)
        try:
            report = erase(result.organisation, match.customer_ids, identifier=result.identifier,
                           actor_label="command line")
        except NothingToErase:
            self.stdout.write("Nothing to erase: the customer is gone already.")
            return
        self._counts("Erased", report.counts)

    def _counts(self, title: str, counts: dict[str, int]) -> None:
        table = Table(title=title)
        table.add_column("what")
        table.add_column("rows", justify="right")
        for kind in [*REPORT_KINDS, *sorted(set(counts) - set(REPORT_KINDS))]:
            if kind in counts:
                table.add_row(str(count_label(kind)), str(counts[kind]))
        self.console.print(table)

    # -- reapply ---------------------------------------------------------------------------------------------------

    def _reapply(self) -> None:
        with Progress(TextColumn("reapplying erasures"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=self.console, transient=not sys.stdout.isatty()) as progress:
            task = progress.add_task("", total=None)

            def step(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = reapply(step)
        erased = report.erased
        self.stdout.write(f"{report.ledger_rows} erasures in the ledger; {len(erased)} people were found in this "
                          f"database and erased again ({ACTOR}); "
                          f"{report.ledger_rows - len(erased) - report.missing_organisations} already gone"
                          + (f"; {report.missing_organisations} of organisations not in this database"
                             if report.missing_organisations else "") + ".")
        if erased:
            self._counts("Erased again", report.totals())
