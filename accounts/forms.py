"""The login that waits for a confirmed address, and the password change, throttled like the login."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm, SignupForm
from allauth.account.models import EmailAddress
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

UNCONFIRMED_MESSAGE = (
    "Confirm your e-mail address first: open the link in the e-mail we sent when you signed up, "
    "then log in. No e-mail? Ask for a password reset: it goes to the same address."
)


def account_is_unconfirmed(user) -> bool:
    """Signed up on the site and no address confirmed yet.

    Accounts made by staff or by a member invitation (whose link proved the
    address) have no allauth addresses at all, and log in as before.
    """
    addresses = list(EmailAddress.objects.filter(user=user).values_list("verified", flat=True))
    return bool(addresses) and not any(addresses)


class AccountSignupForm(SignupForm):
    """django-allauth's sign-up form, in the site's words."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["password2"].label = "Password again"


class AccountResetPasswordForm(ResetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].widget.attrs.pop("placeholder", None)


class ConfirmedAuthenticationForm(AuthenticationForm):
    """Django's login form, which refuses an account signed up here until its address is confirmed."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if account_is_unconfirmed(user):
            raise ValidationError(UNCONFIRMED_MESSAGE, code="unconfirmed")


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change form, whose old password counts as a login attempt.

    Otherwise a stolen session could guess the account's password here
    without limit. A wrong old password is a failed login for django-axes
    (same username and address, same count as the login page); once that
    pair is locked out, the request gets the same lockout page (429), even
    with the right password.
    """

    def __init__(self, user, *args, request: HttpRequest, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        credentials = {get_user_model().USERNAME_FIELD: self.user.get_username()}
        if not AxesProxyHandler.is_allowed(self.request, credentials):
            # AxesMiddleware turns this into the lockout page, as for a login.
            self.request.axes_locked_out = True
            self.request.axes_credentials = credentials
            raise ValidationError(_("Too many failed attempts."), code="locked_out")
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(sender=__name__, credentials=credentials, request=self.request)
            raise
