from django import forms

from social.models import MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH


class InvitationForm(forms.Form):
    subject = forms.CharField(
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Diffusion models for protein design"}),
    )
    message = forms.CharField(
        max_length=MESSAGE_MAX_LENGTH,
        help_text=f"Plain text, up to {MESSAGE_MAX_LENGTH:,} characters. Say what you would "
        "work on together and why them. Your e-mail address is shared only if they accept.",
        widget=forms.Textarea(attrs={"rows": 7}),
    )
