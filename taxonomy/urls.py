from __future__ import annotations

from django.urls import path

from taxonomy import views

app_name = "taxonomy"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("benefits/<path:path>/", views.benefit, name="benefit"),
]
