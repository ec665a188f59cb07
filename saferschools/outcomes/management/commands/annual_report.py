"""``manage.py annual_report PARTNERSHIP_ID YEAR --pdf OUT.pdf``: a partnership's annual report
and business plan as a PDF, the same as the page's download, for an operator to print or send.

YEAR is the academic year, as 2025 or 2025/26. An unknown partnership, a bad year or a file that
cannot be written is a clear error and a non-zero exit; nothing is written then. The export is
recorded in the audit log, as a download is.
"""

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferschools.core.models import Partnership
from saferschools.lib.schooldays import academic_year_label
from saferschools.outcomes.annual_report import (
    ReportYearError,
    report_year_check,
    report_year_parse,
)
from saferschools.outcomes.annual_report_document import report_pdf
from saferschools.outcomes.annual_report_services import annual_report_exported

SOURCE = "command:annual_report"


class Command(BaseCommand):
    help = "Write a partnership's annual report and business plan for an academic year as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("partnership_id", help="The partnership's id (a UUID)")
        parser.add_argument("year", help="The academic year, as 2025 or 2025/26")
        parser.add_argument("--pdf", required=True, metavar="OUT.pdf", help="The file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = _partnership(options["partnership_id"])
        try:
            year = report_year_parse(options["year"])
            report_year_check(partnership=partnership, year=year)
        except ReportYearError as error:
            raise CommandError(f"YEAR: {error}") from None
        out = Path(options["pdf"])
        if out.is_dir() or not out.parent.is_dir():
            raise CommandError(f"--pdf: cannot write {out}: give a file in a folder that exists")
        pdf = report_pdf(partnership=partnership, year=year)
        try:
            out.write_bytes(pdf)
        except OSError as error:
            raise CommandError(f"--pdf: cannot write {out}: {error.strerror}") from None
        annual_report_exported(actor=None, partnership=partnership, year=year, source=SOURCE)
        self.stdout.write(
            f"Wrote the annual report of {partnership.name} for {academic_year_label(year)} "
            f"to {out} ({len(pdf):,} bytes)."
        )


def _partnership(value: str) -> Partnership:
    try:
        partnership_id = uuid.UUID(value)
    except ValueError:
        raise CommandError(
            f"PARTNERSHIP_ID: “{value[:60]}” is not a partnership's id (a UUID)"
        ) from None
    partnership = Partnership.objects.filter(pk=partnership_id).select_related("area").first()
    if partnership is None:
        raise CommandError(f"PARTNERSHIP_ID: no partnership has the id {partnership_id}")
    return partnership
