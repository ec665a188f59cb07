from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saferschools.outcomes.importing import (
    IMD_2019,
    indicator_file_read,
    indicator_files_import,
)
from saferschools.outcomes.importing_files import IndicatorFile, IndicatorImportError
from saferschools.outcomes.periods import PeriodError, parse_period

SOURCE = "command:import_indicators"
# Problems listed per file; the rest are counted.
ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import published and partner figures from CSV files as published (layouts in "
        "docs/indicators.md, 'Importing figures'): DfE performance tables absence, key stage 4 "
        "and key stage 2; Explore education statistics school-level absence and exclusions; "
        "Ofsted's state-funded schools inspections; a youth offending team's first-time "
        "entrants by local authority; the Index of Multiple Deprivation 2019 by LSOA. "
        "Re-importing a period replaces it. Every file is checked first: if any has a problem, "
        "nothing is imported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE.csv", help="CSV files")
        parser.add_argument(
            "--period",
            metavar="PERIOD",
            help=(
                "The period of a file that does not state it: an academic year (2017/18) for "
                "the performance tables files; a year, a term (2025/26 autumn) or a month "
                "(2026-03) for a partner's area file. For a file that states its periods, "
                "import only this one"
            ),
        )

    def handle(self, *args, **options) -> None:
        period = options["period"]
        if period is not None:
            try:
                parse_period(period)
            except PeriodError as error:
                raise CommandError(f"--period: {error}") from None
        paths = [Path(name) for name in options["files"]]

        read: list[IndicatorFile] = []
        failed: list[tuple[Path, list[str]]] = []
        for path in paths:
            try:
                read.append(indicator_file_read(path, period=period, file_name=path.name))
            except OSError as error:
                failed.append((path, [f"cannot be read: {error.strerror or error}"]))
            except IndicatorImportError as error:
                failed.append((path, [str(problem) for problem in error.errors]))
        if failed:
            self._report(failed)
            raise CommandError(
                f"Nothing imported: {len(failed)} of {len(paths)} file(s) have problems "
                "(listed above); no file was imported."
            )

        # All the files or none: one transaction.
        try:
            results = indicator_files_import(actor=None, files=read, source=SOURCE)
        except IndicatorImportError as error:
            # Rows that only the register can find wrong: two naming one area and period.
            path = next((p for p in paths if p.name == error.file_name), Path(error.file_name))
            self._report([(path, [str(problem) for problem in error.errors])])
            raise CommandError("Nothing imported: a file has problems (listed above).") from None
        for result in results:
            self.stdout.write(result.summary())
            if period is not None and result.layout is IMD_2019:
                self.stdout.write("  (--period does not apply to the deprivation index.)")
        self.stdout.write(f"Imported {len(results)} file(s).")

    def _report(self, failed: list[tuple[Path, list[str]]]) -> None:
        for path, problems in failed:
            shown = "\n".join(f"  {problem}" for problem in problems[:ERRORS_SHOWN])
            more = len(problems) - ERRORS_SHOWN
            more_line = f"\n  and {more:,} more" if more > 0 else ""
            noun = "problem" if len(problems) == 1 else "problems"
            self.stderr.write(f"{path}: {len(problems):,} {noun}:\n{shown}{more_line}")
