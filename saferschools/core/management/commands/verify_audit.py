from django.core.management.base import BaseCommand, CommandError

from saferschools.core.audit import audit_verify


class Command(BaseCommand):
    help = "Walk the audit log's hash chain; exit non-zero naming the first event that breaks it."

    def handle(self, *args, **options) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit log broken at event #{result.first_bad_seq}: {result.problem} "
                f"({result.checked} events checked before it)."
            )
        self.stdout.write(f"Audit log intact: {result.checked} events checked.")
