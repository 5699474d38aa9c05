from django import forms

from social.models import MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH
from works.forms import VisibleTextField


class PlainTextField(VisibleTextField):
    """Browsers send a textarea's line breaks as CRLF but count each as one character against
    its maxlength; normalise to LF first, so the server counts as the browser did."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class InvitationForm(forms.Form):
    subject = VisibleTextField(
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Diffusion models for protein design"}),
    )
    message = PlainTextField(
        max_length=MESSAGE_MAX_LENGTH,
        help_text=f"Plain text, up to {MESSAGE_MAX_LENGTH:,} characters. Say what you would "
        "work on together and why them. Your e-mail address is shared only if they accept.",
        widget=forms.Textarea(attrs={"rows": 7}),
    )
