from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saferschools.incidents.crime import crime_month_import
from saferschools.lib.csvfile import FileErrors, LineError

SOURCE = "command:import_police_crime"
PATTERN = "*-street.csv"


class Command(BaseCommand):
    help = (
        "Import data.police.uk street-level crime CSV files as published (a folder is searched "
        "for *-street.csv files, as in the data.police.uk archive). Each file is one force's "
        "month: re-importing it replaces it. A bad file changes nothing; the others are still "
        "imported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths", nargs="+", metavar="FILE_OR_FOLDER", help="street-level CSV files or folders"
        )

    def handle(self, *args, **options) -> None:
        files = _files(options["paths"])
        failed: list[tuple[Path, str]] = []
        for file in files:
            try:
                # One transaction per file: a file is imported whole or not at all.
                result = crime_month_import(
                    actor=None, file=file, file_name=file.name, source=SOURCE
                )
            except OSError as error:
                failed.append((file, f"cannot be read: {error.strerror}"))
                continue
            except FileErrors as error:
                failed.append((file, "\n".join(f"  {e}" for e in error.errors)))
                continue
            except LineError as error:
                failed.append((file, f"  {error}"))
                continue
            replaced = "; replaced the earlier import" if result.replaced else ""
            self.stdout.write(
                f"{file}: {result.force}, {result.month:%Y-%m}: {result.crimes:,} "
                f"row{'' if result.crimes == 1 else 's'}, "
                f"{result.without_location:,} without location (stored, not counted near "
                f"schools){replaced}."
            )
        imported = len(files) - len(failed)
        if not failed:
            self.stdout.write(f"Imported {imported} of {len(files)} file(s).")
            return
        for file, problem in failed:
            self.stderr.write(f"{file}: not imported, nothing changed:\n{problem}")
        raise CommandError(
            f"Imported {imported} of {len(files)} file(s); not imported: "
            + ", ".join(str(file) for file, _ in failed)
            + "."
        )


def _files(paths: list[str]) -> list[Path]:
    """The files named, and the street-level files in the folders named (searched through),
    each once, in the order given (a folder's in name order)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(p for p in path.rglob(PATTERN) if p.is_file())
            if not inside:
                raise CommandError(f"{path}: no {PATTERN} files in this folder.")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder.")
    unique: dict[Path, Path] = {}
    for file in found:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())
