"""`scp-monitor token create USERNAME [--name N]` prints a new API token once;
`scp-monitor token list USERNAME`; `scp-monitor token revoke PREFIX_OR_ID`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import ApiToken, User
from accounts.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = sub.add_parser("list", help="A user's tokens (never the tokens themselves).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id or its prefix.")
        revoke.add_argument("token", help="The id, or the first characters shown by 'list'.")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "create":
            user = self._user(options["username"])
            _token, raw = token_create(user=user, name=options["name"][:100] or "CLI",
                                       actor=None)  # type: ignore[arg-type]  # the console
            self.stdout.write(raw)
            self.stderr.write("Store this token now: it will not be shown again.")
        elif action == "list":
            user = self._user(options["username"])
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(f"{token.pk:>5}  {token.prefix}…  {token.name}  {state}")
        else:
            token = self._token(options["token"])
            token_revoke(token=token, actor=None)  # type: ignore[arg-type]  # the console
            self.stdout.write(f"Revoked token {token.pk} ({token.prefix}…) of {token.user}.")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user '{username}'.")
        return user

    def _token(self, key: str) -> ApiToken:
        key = key.strip().rstrip("…")
        if key.isdigit():
            token = ApiToken.objects.filter(pk=int(key)).select_related("user").first()
            if token is None:
                raise CommandError(f"No token with id {key}.")
            return token
        matches = list(ApiToken.objects.filter(prefix__startswith=key[:10],
                                               revoked_at__isnull=True).select_related("user"))
        matches = [t for t in matches if key.startswith(t.prefix) or t.prefix.startswith(key)]
        if not matches:
            raise CommandError(f"No active token starts with '{key}'.")
        if len(matches) > 1:
            raise CommandError(f"'{key}' matches {len(matches)} tokens; give the id.")
        return matches[0]
