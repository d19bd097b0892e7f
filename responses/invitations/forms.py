"""The owners' invitation forms: a batch of links (with its warnings), and links to download."""

from __future__ import annotations

import secrets

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, ngettext

from assessments.models import Assessment, Audience, Segment
from assessments.selectors import assessment_segments
from common.forms import BelowMinimumConfirmMixin, bare_helper
from responses.invitations.services import check_takes_invitations
from responses.selectors import invited_per_segment_value

# The admin's "Create invitations…" limit too: more links than anyone sends at once is likely a typo.
MAX_INVITATIONS = 1000


# Tokens are urlsafe base64 of 32 bytes (43 characters); anything far longer is not one.
MAX_TOKEN_LENGTH = 200


def batch_warnings(
    *, assessment: Assessment, count: int, audience: str, segment_values: dict[str, str], k: int
) -> list[str]:
    """What a batch of invitations would leave below the minimum group size, in plain words; 1 query or none.

    The release rule withholds those figures anyway; the owner is told before
    creating the batch, so a thin group is a choice, not a surprise.
    """
    warnings = []
    if audience != Audience.BOTH and count < k:
        if audience == Audience.INTERNAL:
            sentence = ngettext(
                "This batch answers the internal sections only and has %(count)s invitation, fewer than the "
                "minimum group size of %(k)s: unless enough others answer those sections too, their figures are "
                "withheld.",
                "This batch answers the internal sections only and has %(count)s invitations, fewer than the "
                "minimum group size of %(k)s: unless enough others answer those sections too, their figures are "
                "withheld.",
                count,
            )
        else:
            sentence = ngettext(
                "This batch answers the external sections only and has %(count)s invitation, fewer than the "
                "minimum group size of %(k)s: unless enough others answer those sections too, their figures are "
                "withheld.",
                "This batch answers the external sections only and has %(count)s invitations, fewer than the "
                "minimum group size of %(k)s: unless enough others answer those sections too, their figures are "
                "withheld.",
                count,
            )
        warnings.append(sentence % {"count": count, "k": k})
    if segment_values:
        invited = invited_per_segment_value(assessment=assessment, segment_values=segment_values)
        for segment in assessment_segments(assessment=assessment, source=Segment.Source.INVITATION):
            value = segment_values.get(segment.key)
            if value is None:
                continue
            total = invited.get((segment.key, value), 0) + count
            if total < k:
                label = next((o.label for o in segment.options.all() if o.value == value), value)
                warnings.append(
                    ngettext(
                        "%(segment)s “%(group)s” would have %(total)s invitation in all, fewer than the minimum "
                        "group size of %(k)s: that group is hidden in the report until at least %(k)s of its people "
                        "answer.",
                        "%(segment)s “%(group)s” would have %(total)s invitations in all, fewer than the minimum "
                        "group size of %(k)s: that group is hidden in the report until at least %(k)s of its people "
                        "answer.",
                        total,
                    )
                    % {"segment": segment.label, "group": label, "total": total, "k": k}
                )
    return warnings


class InvitationsCreateForm(BelowMinimumConfirmMixin, forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Number of invitations"),
        min_value=1,
        max_value=MAX_INVITATIONS,
        initial=10,
        help_text=format_lazy(
            gettext_lazy("From 1 to {maximum}. Each is a single-use link for one respondent."), maximum=MAX_INVITATIONS
        ),
    )
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Optional, e.g. the team you send them to. Shown in the list below, never to respondents."
        ),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Sections they answer"),
        choices=Audience.choices,
        initial=Audience.BOTH,
        # Not sent (an older page, a script): both, as before audiences existed.
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "A partner need not rate how the organization works internally: choose External only for them."
        ),
    )
    # One key per rendered form: reloading the links page re-sends the POST,
    # and a key already used (recorded under a unique constraint) creates no second batch.
    batch = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, assessment: Assessment, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("batch", secrets.token_urlsafe(16))
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        # One choice per invitation segment: the group every link of this batch belongs to.
        self.segments = assessment_segments(assessment=assessment, source=Segment.Source.INVITATION)
        for segment in self.segments:
            self.fields[f"segment-{segment.key}"] = forms.ChoiceField(
                label=segment.label,
                required=False,
                choices=[("", gettext_lazy("Not stated")), *((o.value, o.label) for o in segment.options.all())],
                help_text=gettext_lazy("The group of everyone invited in this batch; respondents do not see it."),
            )
        self.add_confirm_field()
        self.helper = bare_helper(
            Row(Column("count", css_class="col-sm-4"), Column("label", css_class="col-sm-8")),
            *(f"segment-{s.key}" for s in self.segments),
            "audience",
            "batch",
            self.confirm_field,
        )

    def segment_values(self) -> dict[str, str]:
        """{segment key: option value} of the batch, chosen ones only."""
        return {
            s.key: self.cleaned_data[f"segment-{s.key}"]
            for s in self.segments
            if self.cleaned_data.get(f"segment-{s.key}")
        }

    def clean_audience(self) -> str:
        return self.cleaned_data["audience"] or Audience.BOTH

    def clean(self) -> dict:
        cleaned = super().clean()
        check_takes_invitations(self.assessment)
        self.check_below_minimum(cleaned)
        return cleaned

    def below_minimum_warnings(self, cleaned: dict) -> list[str]:
        count, k = cleaned.get("count"), self.assessment.min_group_size
        if not count:
            return []
        return batch_warnings(
            assessment=self.assessment,
            count=count,
            audience=cleaned.get("audience") or Audience.BOTH,
            segment_values=self.segment_values(),
            k=k,
        )


class InvitationLinksForm(forms.Form):
    """The tokens a "Download CSV" button sends back, space-separated in one field.

    One field rather than one per token: Django refuses a request with more
    than 1000 fields, and a batch can hold 1000 links.
    """

    tokens = forms.CharField(widget=forms.HiddenInput, max_length=MAX_INVITATIONS * (MAX_TOKEN_LENGTH + 1))

    def clean_tokens(self) -> list[str]:
        tokens = self.cleaned_data["tokens"].split()
        if not 1 <= len(tokens) <= MAX_INVITATIONS or any(len(t) > MAX_TOKEN_LENGTH for t in tokens):
            raise forms.ValidationError(gettext_lazy("These are not links of this page."), code="invalid")
        return tokens
