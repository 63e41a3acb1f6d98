"""``credstack award-bulk FILE.csv --org SLUG [--dry-run]``: a bulk award from the command line.

The same checks and issuing as the page, in this process, with a progress bar. Running the same file
again issues nothing new (its people already hold the awards); an interrupted run can simply be run again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from credstack.awards.bulk import (
    do_confirm_bulk_award,
    do_create_bulk_award,
    read_rows,
    run_bulk,
    validate_rows,
)
from credstack.awards.management.commands._common import ProgressBar, organization, unusable
from credstack.awards.models import BulkAward, BulkRow, RowState

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Award credentials to every row of a CSV file (header: "
        "email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8).")
        parser.add_argument("--org", required=True, help="The issuing organization (slug).")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file; issue nothing.")

    def _problems(self, problems: list[tuple[int, str, dict[str, str]]]) -> None:
        for line, state, errors in problems[:SHOWN]:
            reasons = "; ".join(f"{k}: {v}" for k, v in errors.items())
            self.stdout.write(
                f"  line {line}: {'already awarded' if state == RowState.DUPLICATE else 'rejected'} — {reasons}"
            )
        if len(problems) > SHOWN:
            self.stdout.write(f"  … and {len(problems) - SHOWN} more.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        org = organization(options["org"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        try:
            with path.open("rb") as stream:
                if options["dry_run"]:
                    self._dry_run(org, stream)
                    return
                bulk = do_create_bulk_award(organization=org, stream=stream, filename=path.name, actor=None)
        except ValidationError as exc:
            raise unusable(exc)
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror or exc}).", returncode=2)
        self.stdout.write(
            f"{bulk.total_rows} rows: {bulk.valid_rows} to issue, {bulk.duplicate_rows} already "
            f"awarded, {bulk.error_rows} rejected."
        )
        if bulk.valid_rows:
            do_confirm_bulk_award(bulk=bulk, actor=None, enqueue=False)
            bar = ProgressBar(bulk.valid_rows, getattr(self.stderr, "_out", None))
            bulk = run_bulk(bulk.pk, progress=lambda b: bar.update(b.done_rows))
            bar.close()
        self._summary(bulk)

    def _dry_run(self, org: Any, stream: Any) -> None:
        counts = {RowState.VALID: 0, RowState.DUPLICATE: 0, RowState.ERROR: 0}
        problems = []
        for result in validate_rows(org, read_rows(stream)):
            counts[RowState(result.state)] += 1
            if result.state != RowState.VALID:
                problems.append((result.line, result.state, result.errors))
        self.stdout.write(
            f"Dry run: {sum(counts.values())} rows: {counts[RowState.VALID]} would be issued, "
            f"{counts[RowState.DUPLICATE]} already awarded, {counts[RowState.ERROR]} rejected."
        )
        self._problems(problems)

    def _summary(self, bulk: BulkAward) -> None:
        bulk.refresh_from_db()
        rows = (
            BulkRow.objects.filter(
                bulk=bulk, state__in=[RowState.ERROR, RowState.DUPLICATE, RowState.SKIPPED, RowState.FAILED]
            )
            .order_by("line")
            .values_list("line", "state", "errors")
        )
        self.stdout.write(
            f"Issued {bulk.issued}, skipped as already awarded {bulk.duplicate_rows + bulk.skipped}, "
            f"rejected {bulk.error_rows}" + (f", failed at issue {bulk.failed}." if bulk.failed else ".")
        )
        self._problems(
            [(line, RowState.DUPLICATE if state == RowState.SKIPPED else state, errors) for line, state, errors in rows]
        )
        if bulk.valid_rows and bulk.status != "done":
            raise CommandError(
                f"The run stopped before the end ({bulk.issued} issued); run the same command again to issue the rest.",
                returncode=1,
            )
