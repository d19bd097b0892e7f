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
]
