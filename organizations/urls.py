from __future__ import annotations

from django.urls import include, path

from organizations import views

app_name = "organizations"

manage_patterns = [
    path("members/", views.manage_members, name="members"),
    path("settings/", views.manage_settings, name="settings"),
    path("members/<int:pk>/role/", views.manage_member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.manage_member_remove, name="member_remove"),
    path(
        "members/invitations/<int:pk>/resend/", views.manage_member_invitation_resend, name="member_invitation_resend"
    ),
    path(
        "members/invitations/<int:pk>/revoke/", views.manage_member_invitation_revoke, name="member_invitation_revoke"
    ),
]

urlpatterns = [
    path("organizations/new/", views.organization_new, name="new"),
    path("o/<slug:org_slug>/manage/", include((manage_patterns, "manage"))),
    # The link in a member invitation e-mail; its token is redacted from logs like a survey link's.
    path("join/<str:token>/", views.join, name="join"),
    path("join/<str:token>/account/", views.join_new_account, name="join_account"),
]
