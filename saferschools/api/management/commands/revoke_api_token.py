from django.core.management.base import BaseCommand, CommandError

from saferschools.api.models import ApiToken
from saferschools.api.services import api_token_revoke


class Command(BaseCommand):
    help = (
        "Revoke API tokens at once: one by its first characters (as printed by "
        "create_api_token), or every token of a user with --all EMAIL. Lists a user's tokens "
        "with --list EMAIL."
    )

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "prefix", nargs="?", help="The token's first 8 characters, e.g. ss_AbCdE"
        )
        group.add_argument("--all", metavar="EMAIL", help="Revoke every token of this user")
        group.add_argument("--list", metavar="EMAIL", help="List this user's tokens")

    def handle(self, *args, **options) -> None:
        source = "command:revoke_api_token"
        if options["list"]:
            for token in ApiToken.objects.filter(user__email__iexact=options["list"]):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "live"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(f"{token.prefix}  {state}  last used {used}  {token.name}")
            return
        live = ApiToken.objects.filter(revoked_at__isnull=True)
        if options["all"]:
            tokens = list(live.filter(user__email__iexact=options["all"]))
        else:
            tokens = list(live.filter(prefix=options["prefix"]))
            if len(tokens) > 1:
                raise CommandError("More than one live token starts so; revoke with --all EMAIL.")
        if not tokens:
            raise CommandError("No live token matches.")
        for token in tokens:
            api_token_revoke(actor=None, token=token, source=source)
        self.stdout.write(f"Revoked {len(tokens)} token(s).")
