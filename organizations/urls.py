from __future__ import annotations

from django.urls import include, path

from organizations import views

app_name = "organizations"

manage_patterns = [
    path("members/", views.manage_members, name="members"),
    path("members/<int:pk>/role/", views.manage_member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.manage_member_remove, name="member_remove"),
]

urlpatterns = [
    path("o/<slug:org_slug>/manage/", include((manage_patterns, "manage"))),
]
