from __future__ import annotations

from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns: list = [
    # --- Respondent form (issue 4) ---
    # By invitation link (no account): the token is the credential and resumes the response.
    path("i/<str:token>/", views.form_start, name="invitation_start"),
    path("i/<str:token>/section/<int:number>/", views.form_section, name="invitation_section"),
    path("i/<str:token>/review/", views.form_review, name="invitation_review"),
    path("i/<str:token>/done/", views.form_done, name="invitation_done"),
    # By a logged-in member of the organization.
    path("o/<slug:org_slug>/<slug:assessment_slug>/respond/", views.form_start, name="respond_start"),
    path(
        "o/<slug:org_slug>/<slug:assessment_slug>/respond/section/<int:number>/",
        views.form_section,
        name="respond_section",
    ),
    path("o/<slug:org_slug>/<slug:assessment_slug>/respond/review/", views.form_review, name="respond_review"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/respond/done/", views.form_done, name="respond_done"),
    # --- Gap report (issues 5 and 7) ---
    path("assessments/", views.assessment_index, name="index"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report/", views.report, name="report"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.json", views.report_json, name="report_json"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.csv", views.report_csv, name="report_csv"),
    # --- Owner management (issue 6) ---
    # "manage/" is followed by more segments than an assessment's own URLs have, so an
    # assessment whose slug is "manage" keeps its respond and report URLs.
    path("o/<slug:org_slug>/manage/", views.manage_overview, name="manage_overview"),
    path("o/<slug:org_slug>/manage/assessments/new/", views.manage_assessment_create, name="manage_assessment_create"),
    path(
        "o/<slug:org_slug>/manage/assessments/<slug:assessment_slug>/edit/",
        views.manage_assessment_edit,
        name="manage_assessment_edit",
    ),
    path(
        "o/<slug:org_slug>/manage/assessments/<slug:assessment_slug>/invitations/",
        views.manage_invitations,
        name="manage_invitations",
    ),
    path(
        "o/<slug:org_slug>/manage/assessments/<slug:assessment_slug>/invitations.csv",
        views.manage_invitations_csv,
        name="manage_invitations_csv",
    ),
    path(
        "o/<slug:org_slug>/manage/assessments/<slug:assessment_slug>/invitations/<int:pk>/revoke/",
        views.manage_invitation_revoke,
        name="manage_invitation_revoke",
    ),
    path("o/<slug:org_slug>/manage/members/", views.manage_members, name="manage_members"),
    path("o/<slug:org_slug>/manage/members/<int:pk>/role/", views.manage_member_role, name="manage_member_role"),
    path("o/<slug:org_slug>/manage/members/<int:pk>/remove/", views.manage_member_remove, name="manage_member_remove"),
]
