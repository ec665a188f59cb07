import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saferschools.lib.csvfile import LineError, read_text, records
from saferschools.outcomes.did import DidError, estimate_did

# A file an analyst estimates from fits in memory many times over; a larger one is refused
# before it is read.
MAX_FILE_BYTES = 50 * 1024 * 1024
OPTIONS = {"unit": "--unit", "time": "--time", "treated": "--treated", "outcome": "--outcome"}


def _rows(path: Path) -> tuple[list[dict[str, str]], list[int]]:
    """The file's rows as dicts keyed by the header, and the line each starts on."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{path} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB.")
        text = read_text(path)
    except OSError as error:
        raise CommandError(f"{path} cannot be read: {error.strerror or error}.") from None
    except LineError as error:
        raise CommandError(f"{path}, {error}.") from None
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    for line, fields in records(text):
        if isinstance(fields, LineError):
            raise CommandError(f"{path}, {fields}.")
        if header is None:
            header = [name.strip() for name in fields]
            repeated = sorted({name for name in header if header.count(name) > 1})
            if repeated:
                raise CommandError(
                    f"{path}, line {line}: the column “{repeated[0]}” appears twice."
                )
            continue
        if len(fields) != len(header):
            raise CommandError(
                f"{path}, line {line}: {len(fields)} fields where the header has {len(header)}."
            )
        rows.append(dict(zip(header, fields, strict=True)))
        lines.append(line)
    if header is None:
        raise CommandError(f"{path} is empty.")
    return rows, lines


class Command(BaseCommand):
    help = (
        "Estimate a difference-in-differences effect from a CSV file with one row per unit and "
        "period: two-way fixed effects (unit and period), standard errors clustered by unit. "
        "Prints JSON: estimate, std_error, ci_low, ci_high (95%), p_value, n_units, n_periods. "
        "Rows without an outcome are left out (said on standard error). See docs/evaluation.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE.csv", help="CSV file with a header row")
        parser.add_argument("--unit", required=True, metavar="COL", help="the unit's column")
        parser.add_argument("--time", required=True, metavar="COL", help="the period's column")
        parser.add_argument(
            "--treated",
            required=True,
            metavar="COL",
            help="1 for a unit in a period under the intervention, else 0",
        )
        parser.add_argument("--outcome", required=True, metavar="COL", help="a number")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        rows, lines = _rows(path)
        try:
            result = estimate_did(
                rows,
                unit=options["unit"],
                time=options["time"],
                treated=options["treated"],
                outcome=options["outcome"],
            )
        except DidError as error:
            where = f", line {lines[error.row]}" if error.row is not None else ""
            option = (
                f" ({OPTIONS[error.field]} {options[error.field]})"
                if error.field in OPTIONS
                else ""
            )
            raise CommandError(f"{path}{where}{option}: {error.message}") from None
        if result.dropped:
            noun = "row" if result.dropped == 1 else "rows"
            self.stderr.write(
                f"{result.dropped:,} {noun} without an outcome left out; "
                f"{result.n_observations:,} used."
            )
        self.stdout.write(json.dumps(result.summary()))
