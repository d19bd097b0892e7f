"""``manage.py ensure_local_admin``: a local superuser for `make run`, if none exists."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a local superuser (admin / admin) when the database has none. Refused unless DEBUG is on."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin is for local development only (set DJANGO_DEBUG=1).")
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stderr.write("A superuser already exists: log in at /admin/ with it.")
            return
        username = os.environ.get("HP_ADMIN_USER", "admin")
        password = os.environ.get("HP_ADMIN_PASSWORD", "admin")
        User.objects.create_superuser(username=username, email="", password=password)
        self.stderr.write(f"Created a local superuser: log in at /admin/ as {username!r} with password {password!r}.")
