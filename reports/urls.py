from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("o/<slug:org_slug>/<slug:assessment_slug>/report/", views.report, name="report"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.json", views.report_json, name="json"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.csv", views.report_csv, name="csv"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.pdf", views.report_pdf, name="pdf"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report/targets/", views.targets, name="targets"),
]
