"""The owners' form of e-mailed invitations: addresses (pasted or a CSV file), a subject and a message."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from assessments.models import Assessment
from common.forms import bare_helper
from common.validators import validate_message_text, validate_subject
from responses.invitations.services import check_takes_invitations
from responses.mail.recipients import EmailListError, Recipient, recipients_parse
from responses.mail.services import DEFAULT_MIN_DAYS, MAX_MIN_DAYS, default_message, default_subject

MAX_FILE_BYTES = 5 * 1024 * 1024


class EmailInvitationsForm(forms.Form):
    addresses = forms.CharField(
        label=gettext_lazy("Addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "One address per line. Or upload a CSV file below (header email, then invitation segment keys)."
        ),
    )
    file = forms.FileField(
        required=False, label=gettext_lazy("CSV file"), help_text=gettext_lazy("UTF-8, header email[,segment key...].")
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, strip=True, validators=[validate_subject])
    message = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        validators=[validate_message_text],
        help_text=gettext_lazy(
            "The e-mail adds each person's own link, the closing date, the time it takes and an opt-out link."
        ),
    )

    def __init__(self, *args, assessment: Assessment, **kwargs) -> None:
        kwargs.setdefault("initial", {}).update(
            {"subject": default_subject(assessment), "message": default_message(assessment)}
        )
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.helper = bare_helper("addresses", "file", "subject", "message")

    def clean(self) -> dict:
        cleaned = super().clean()
        check_takes_invitations(self.assessment)
        upload = cleaned.get("file")
        text = cleaned.get("addresses", "")
        name = gettext("Addresses")
        if upload:
            if upload.size > MAX_FILE_BYTES:
                raise forms.ValidationError(gettext("The file is over 5 MB; split it."), code="too_big")
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    gettext("%(file)s:1: not UTF-8 text; save the file as CSV UTF-8") % {"file": upload.name},
                    code="encoding",
                ) from None
            name = upload.name
        elif not text.strip():
            raise forms.ValidationError(gettext("Give at least one address, or a CSV file."), code="empty")
        try:
            cleaned["recipients"] = recipients_parse(text, assessment=self.assessment, csv_only=bool(upload))
        except EmailListError as exc:
            raise forms.ValidationError(f"{name}:{exc}", code="bad_row") from None
        cleaned["text"] = text
        return cleaned

    @property
    def recipients(self) -> list[Recipient]:
        return self.cleaned_data["recipients"]


class RemindersForm(forms.Form):
    """The reminders page's one choice: the days since the last e-mail, 0 to 30."""

    DEFAULT = DEFAULT_MIN_DAYS

    min_days = forms.IntegerField(
        label=gettext_lazy("Days since the last e-mail, at least"),
        min_value=0,
        max_value=MAX_MIN_DAYS,
        initial=DEFAULT_MIN_DAYS,
        required=False,
        help_text=format_lazy(
            gettext_lazy("0 reminds everyone due now, even those e-mailed today. At most {maximum}."),
            maximum=MAX_MIN_DAYS,
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_days"].widget.attrs.update({"inputmode": "numeric"})

    def chosen_days(self) -> int:
        value = self.cleaned_data.get("min_days")
        return self.DEFAULT if value is None else value
