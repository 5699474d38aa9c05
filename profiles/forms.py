from django import forms

from profiles.models import ProblemReport
from works.forms import VisibleTextField


class ClaimEmailForm(forms.Form):
    email = forms.EmailField(label="Institutional e-mail address", max_length=254)


class ClaimCodeForm(forms.Form):
    code = forms.RegexField(
        label="Six-digit code",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the six digits from the e-mail."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ClaimEvidenceForm(forms.Form):
    """Links and a note for a moderator: a claim's evidence."""

    links_help_text = "Pages that show this record is yours: a staff page, a CV, a lab site."
    note_required = False

    links = VisibleTextField(
        label="Links, one a line", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = VisibleTextField(
        label="Note for the moderator", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["links"].help_text = self.links_help_text
        self.fields["note"].required = self.note_required

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class ResearcherEditForm(forms.Form):
    bio = VisibleTextField(
        label="Short bio",
        help_text="Plain text, up to 500 characters.",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    open_to_collaborate = forms.BooleanField(label="Open to collaborate", required=False)


class LinkRecordsForm(forms.Form):
    records = forms.ModelMultipleChoiceField(
        label="These records are also me",
        help_text="Your other claimed records. Their works are listed on this profile too.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].queryset = records


class WorkHideForm(forms.Form):
    reason = VisibleTextField(
        label="Why is this work not yours?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimDisputeForm(ClaimEvidenceForm):
    """A dispute's evidence: the same fields, and the note is required."""

    links_help_text = "Pages that show this record is yours, or that its holder is someone else."
    note_required = True


class ProblemReportForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong", choices=ProblemReport.Reason.choices)
    evidence = VisibleTextField(
        label="What you know",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Which works, which people, links that show it. Moderators read this.",
    )
    reporter_email = forms.EmailField(
        label="Your e-mail address (optional)",
        required=False,
        max_length=254,
        help_text="Only if you want an answer. Not shown to anyone but the moderators.",
    )


class VisibilityForm(forms.Form):
    noindex = forms.BooleanField(
        label="Keep this profile out of search engines",
        required=False,
        help_text="Asks search engines not to index it and leaves it out of the sitemap.",
    )
    unlisted = forms.BooleanField(
        label="Keep this profile out of BZPEER's search",
        required=False,
        help_text="It stays reachable by its address and from your works' pages.",
    )
