"""The pages of django-allauth that the project uses, under the names allauth reverses (no namespace).

Only these: sign-up, the confirmation of an address, and the password reset.
Logging in and out stay the project's own pages (accounts.urls); allauth's
names for them point to the same views so its redirects and e-mails land there.
"""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from accounts.forms import ConfirmedAuthenticationForm

urlpatterns = [
    path("signup/", allauth_views.signup, name="account_signup"),
    path("confirm-email/", allauth_views.email_verification_sent, name="account_email_verification_sent"),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", allauth_views.confirm_email, name="account_confirm_email"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("password/reset/", allauth_views.password_reset, name="account_reset_password"),
    path("password/reset/done/", allauth_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # Never reached by URL (accounts:login comes first); allauth reverses this name.
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=ConfirmedAuthenticationForm),
        name="account_login",
    ),
]
