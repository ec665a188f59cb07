from django.core.management.base import BaseCommand, CommandError

from saferschools.accounts.models import User
from saferschools.api.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The user's e-mail address")
        parser.add_argument("--name", default="", help="What the token is for")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with e-mail {options['email']}.")
        _, key = api_token_create(
            actor=None, user=user, name=options["name"], source="command:create_api_token"
        )
        self.stdout.write(key)
