from django.core.management.base import BaseCommand, CommandError

from saferschools.casework.importing import PupilImportError
from saferschools.casework.services import pupils_import
from saferschools.core.models import School


class Command(BaseCommand):
    help = (
        "Import a school's pupils from its information system's CSV export (column mapping in "
        "docs/import-pupils.md). Re-importing updates, never duplicates; a bad file changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("urn", type=int, help="The school's DfE URN")
        parser.add_argument("file", help="CSV export")
        parser.add_argument(
            "--mark-leavers",
            action="store_true",
            help="Mark pupils on roll who are missing from the file as having left",
        )

    def handle(self, *args, **options) -> None:
        school = School.objects.filter(urn=options["urn"]).first()
        if school is None:
            raise CommandError(f"No school with URN {options['urn']}; import the school first.")
        try:
            result = pupils_import(
                actor=None,
                school=school,
                file=options["file"],
                source="command:import_pupils",
                mark_leavers=options["mark_leavers"],
            )
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from None
        except PupilImportError as error:
            lines = "\n".join(f"  {e}" for e in error.errors)
            raise CommandError(
                f"Nothing imported: {len(error.errors)} problem(s) in the file.\n{lines}"
            ) from None
        self.stdout.write(f"Pupils of {school.name}: {result}.")
