"""Django's own auth views under /accounts/, in our templates; the password change throttled (accounts.views).

Sign-up, confirmation and password reset are django-allauth's (accounts.allauth_urls).
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import ConfirmedAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=ConfirmedAuthenticationForm),
        name="login",
    ),
    # Django 5 accepts only POST here, so a link or an <img> cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
