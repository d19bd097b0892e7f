"""Form helpers shared by every app's pages."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout


def bare_helper(*layout) -> FormHelper:
    """The template owns <form>, the CSRF token and the buttons; crispy renders only the fields."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper
