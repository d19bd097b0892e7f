"""How django-allauth's sign-up, confirmation and password reset fit this project."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _


def signup_is_open() -> bool:
    """Whether anyone may create an account (``DJANGO_SIGNUP=open``); closed unless set."""
    return settings.SIGNUP == "open"


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up only when ``DJANGO_SIGNUP`` is ``open``; the username is the e-mail address.

    The member invitations' join page makes the address the username too, so
    every account logs in the same way on the one login page (``accounts:login``).
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return signup_is_open()

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        user_model = get_user_model()
        max_length = user_model._meta.get_field(user_model.USERNAME_FIELD).max_length
        if max_length and len(email) > max_length:
            raise ValidationError(
                _("Use an address of at most %(max)s characters: it becomes your username.") % {"max": max_length}
            )
        return email

    def populate_username(self, request: HttpRequest, user) -> None:
        user_model = get_user_model()
        email = (user.email or "").strip()
        taken = user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": email}).exists()
        if email and not taken:
            setattr(user, user_model.USERNAME_FIELD, email)
            return
        # Only an account whose username is this address but whose e-mail is another gets here: a generated name.
        super().populate_username(request, user)
