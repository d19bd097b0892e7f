from __future__ import annotations

from django.urls import path

from common import views

app_name = "common"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
