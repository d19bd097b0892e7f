from __future__ import annotations

from django.urls import path

from reports import comment_views, views

app_name = "reports"

urlpatterns = [
    path("o/<slug:org_slug>/<slug:assessment_slug>/report/", views.report, name="report"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.json", views.report_json, name="json"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.csv", views.report_csv, name="csv"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report.pdf", views.report_pdf, name="pdf"),
    path("o/<slug:org_slug>/<slug:assessment_slug>/report/targets/", views.targets, name="targets"),
    # Section 15: the comments' download, and the owners' page that hides one.
    path(
        "o/<slug:org_slug>/<slug:assessment_slug>/report/comments.csv",
        comment_views.comments_csv,
        name="comments_csv",
    ),
    path(
        "o/<slug:org_slug>/<slug:assessment_slug>/report/comments/",
        comment_views.manage_comments,
        name="comments",
    ),
]
