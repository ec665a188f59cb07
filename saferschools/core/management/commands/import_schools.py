from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from saferschools.core.services import area_create, schools_import
from saferschools.lib.gias import GiasError, GiasImportError


class Command(BaseCommand):
    help = (
        "Import schools from a DfE Get Information About Schools (GIAS) CSV download into an "
        "area (created if new). Re-importing updates by URN; a bad file changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="GIAS CSV file, as downloaded")
        parser.add_argument("--area", required=True, help="Name of the area the schools belong to")
        parser.add_argument(
            "--all-types",
            action="store_true",
            help="Also import independent schools, children's centres and the like",
        )

    def handle(self, *args, **options) -> None:
        source = "command:import_schools"
        # One transaction with the area, so that a refused file leaves no new empty area behind.
        with transaction.atomic():
            area = area_create(actor=None, name=options["area"], source=source)
            try:
                result = schools_import(
                    actor=None,
                    area=area,
                    file=options["file"],
                    source=source,
                    state_funded_only=not options["all_types"],
                )
            except OSError as error:
                raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from None
            except (GiasError, GiasImportError, ValueError) as error:
                raise CommandError(f"Nothing imported. {error}") from None
        self.stdout.write(f"Schools in {area.name}: {result}.")
