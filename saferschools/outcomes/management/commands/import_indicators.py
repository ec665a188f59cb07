from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saferschools.outcomes.importing import (
    IMD_2019,
    IndicatorFile,
    IndicatorImportError,
    indicator_file_read,
    indicator_files_import,
    period_parse,
)

SOURCE = "command:import_indicators"
# Problems listed per file; the rest are counted.
ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import published school figures (DfE performance tables absence; Explore education "
        "statistics school-level absence and exclusions) and the Index of Multiple Deprivation "
        "2019 by LSOA, from CSV files as published (layouts in docs/indicators.md). Re-importing "
        "a period replaces it. Every file is checked first: if any has a problem, nothing is "
        "imported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE.csv", help="CSV files")
        parser.add_argument(
            "--period",
            metavar="YYYY/YY",
            help=(
                "The academic year of a file that does not state it (the performance tables "
                "absence file), e.g. 2017/18; for a file that states its periods, import only "
                "this one"
            ),
        )

    def handle(self, *args, **options) -> None:
        period = options["period"]
        if period is not None and period_parse(period) is None:
            raise CommandError(f"--period {period!r} is not an academic year like 2017/18.")
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
            for path, problems in failed:
                shown = "\n".join(f"  {problem}" for problem in problems[:ERRORS_SHOWN])
                more = len(problems) - ERRORS_SHOWN
                more_line = f"\n  and {more:,} more" if more > 0 else ""
                noun = "problem" if len(problems) == 1 else "problems"
                self.stderr.write(f"{path}: {len(problems):,} {noun}:\n{shown}{more_line}")
            raise CommandError(
                f"Nothing imported: {len(failed)} of {len(paths)} file(s) have problems "
                "(listed above); no file was imported."
            )

        # All the files or none: one transaction.
        results = indicator_files_import(actor=None, files=read, source=SOURCE)
        for result in results:
            self.stdout.write(result.summary())
            if period is not None and result.layout is IMD_2019:
                self.stdout.write("  (--period does not apply to the deprivation index.)")
        self.stdout.write(f"Imported {len(results)} file(s).")
