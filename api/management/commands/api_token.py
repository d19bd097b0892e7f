"""``manage.py api_token --user USERNAME [--name NAME]``: print a new personal API token (contract section 18)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from api.services import api_token_create
from common.commands import ContractCommand, InputError


class Command(ContractCommand):
    help = (
        "Create a personal API token for a user and print it. It is shown only this once "
        "(only a digest is stored); revoke it on the user's API tokens page."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, metavar="USERNAME", help="whose token it is")
        parser.add_argument("--name", default="command line", help='what it is for (default: "command line")')

    def handle(self, *args, user: str, name: str, **options) -> None:
        User = get_user_model()
        owner = User.objects.filter(**{User.USERNAME_FIELD: user}).first()
        if owner is None:
            raise InputError(f"--user: no user {user!r}")
        if not owner.is_active:
            raise InputError(f"--user: {user!r} is deactivated; their tokens would open nothing")
        token, secret = api_token_create(user=owner, name=name)
        self.stdout.write(secret)
        self.stderr.write(f"Created the token {token.name!r} of {user}; it is shown only this once.")
