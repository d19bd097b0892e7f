from __future__ import annotations

app_name = "assessments"

urlpatterns: list = []
