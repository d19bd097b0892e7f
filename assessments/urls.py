from __future__ import annotations

app_name = "assessments"

urlpatterns: list = [
    # --- Respondent form (issue 4) ---
    # --- Gap report (issues 5 and 7) ---
]
