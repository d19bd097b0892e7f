"""Views of the assessments app: thin; forms validate, services write, selectors read.

Sections of this file are owned by different pieces of work; keep each
view in its section.
"""

from __future__ import annotations

# --- Respondent form (issue 4) -------------------------------------------

# --- Gap report (issues 5 and 7) -------------------------------------------
