from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from saferschools.accounts.models import Role
from saferschools.core.demo import demo_load, demo_password


class Command(BaseCommand):
    help = "Load the demo area (a real Surrey cluster with made-up staff and pupils); idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--quiet-sign-ins", action="store_true", help="Do not print the demo sign-ins"
        )

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo area is not loaded in production.")
        demo = demo_load()
        self.stdout.write(
            f"Demo area loaded: {demo.partnership.name}, "
            f"{1 + len(demo.primaries)} schools, in {demo.area.name}."
        )
        if options["quiet_sign_ins"]:
            return
        self.stdout.write(f"\nDemo sign-ins (password for all: {demo_password()}):")
        width = max(len(u.email) for u in demo.users)
        for user in demo.users:
            self.stdout.write(f"  {user.email.ljust(width)}  {Role(user.role).label}")
