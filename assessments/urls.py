from __future__ import annotations

from django.urls import include, path

from assessments import views

app_name = "assessments"

manage_patterns = [
    path("new/", views.manage_assessment_create, name="create"),
    path("<slug:assessment_slug>/edit/", views.manage_assessment_edit, name="edit"),
    path("<slug:assessment_slug>/close/", views.manage_assessment_close, name="close"),
    path("<slug:assessment_slug>/segments/", views.manage_segments, name="segments"),
    path("<slug:assessment_slug>/segments/<int:pk>/delete/", views.manage_segment_delete, name="segment_delete"),
    path("<slug:assessment_slug>/next-round/", views.manage_assessment_next_round, name="next_round"),
]

urlpatterns = [
    path("assessments/", views.assessment_index, name="index"),
    path("o/<slug:org_slug>/manage/assessments/", include((manage_patterns, "manage"))),
]
