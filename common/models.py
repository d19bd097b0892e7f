"""Model helpers shared by the apps."""

from __future__ import annotations

import math
import unicodedata

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from common.validators import validate_email_address


class ConstraintErrorsByFieldMixin:
    """Report each failed constraint beside the field it is about.

    A rule lives in one place, the database constraint, with its message
    (``violation_error_message``). Django's ``full_clean()`` checks it and
    reports a check or a multi-field unique constraint as an error of the
    whole object; a form wants it beside the field. ``constraint_fields``
    maps each constraint's ``violation_error_code`` to that field.

    A message may name the object's own values as ``%(field)s`` (written
    ``%%(field)s`` in the constraint, which formats its message once with
    its own name): they are filled in from ``constraint_params()``.
    """

    constraint_fields: dict[str, str] = {}

    def constraint_params(self) -> dict[str, object]:
        return {}

    def validate_constraints(self, exclude=None) -> None:
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            params = self.constraint_params()
            errors: dict[str, list[ValidationError]] = {}
            for field, field_errors in exc.error_dict.items():
                for error in field_errors:
                    target = self.constraint_fields.get(error.code, field) if field == NON_FIELD_ERRORS else field
                    errors.setdefault(target, []).append(ValidationError(error.message, code=error.code, params=params))
            raise ValidationError(errors) from None


def validate_finite(value: float) -> None:
    """A number, not NaN or infinity (which databases store, compare and round each their own way)."""
    if not math.isfinite(value):
        raise ValidationError(_("Enter a number."), code="not_finite")


class AddressField(models.EmailField):
    """An e-mail address, stored as every address is: Unicode NFKC, the domain lower-cased.

    Normalized before it is validated (``to_python``), so that a full-width
    letter typed in any form, the admin's included, becomes the letter it
    stands for; then checked by the one address rule (common.validators).
    """

    default_validators = [validate_email_address]

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = unicodedata.normalize("NFKC", value.strip())
        local, at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}" if at else value
