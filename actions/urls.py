from __future__ import annotations

from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("o/<slug:org_slug>/actions/", views.action_list, name="list"),
    path("o/<slug:org_slug>/actions/roadmap/", views.action_roadmap, name="roadmap"),
    path("o/<slug:org_slug>/actions/actions.csv", views.action_csv, name="csv"),
    path("o/<slug:org_slug>/actions/new/", views.action_create_view, name="create"),
    path("o/<slug:org_slug>/actions/<int:pk>/edit/", views.action_edit, name="edit"),
    path("o/<slug:org_slug>/actions/<int:pk>/status/", views.action_status, name="status"),
    path("o/<slug:org_slug>/actions/<int:pk>/delete/", views.action_delete_view, name="delete"),
]
