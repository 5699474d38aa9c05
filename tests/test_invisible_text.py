"""A message of only invisible characters (zero-width spaces and joiners, bidi controls, a BOM,
a soft hyphen, Hangul fillers) is no message: every text field of the site's forms refuses it
as empty when it is required and stores nothing when it is not (works.forms.VisibleTextField).
Each test fails when the field is a plain forms.CharField again."""

import pytest

from profiles.forms import ClaimDisputeForm, ClaimEvidenceForm, ResearcherEditForm, WorkHideForm
from social.forms import InvitationForm

INVISIBLE = ["\u200b", "\u200b\u200c\u200d", "\u202e\u202c", "\ufeff", " \u00ad ", "\u3164\u2060"]
REQUIRED = "This field is required."


@pytest.mark.parametrize("text", INVISIBLE)
def test_an_invitation_of_invisible_characters_is_refused(text):
    form = InvitationForm(data={"subject": text, "message": text})

    assert not form.is_valid()
    assert form.errors == {"subject": [REQUIRED], "message": [REQUIRED]}


@pytest.mark.parametrize("text", INVISIBLE)
def test_evidence_and_dispute_notes_of_invisible_characters_are_refused(text):
    evidence = ClaimEvidenceForm(data={"links": text, "note": "A note"})
    dispute = ClaimDisputeForm(data={"links": "https://example.org/cv", "note": text})

    assert evidence.errors == {"links": [REQUIRED]}
    assert dispute.errors == {"note": [REQUIRED]}


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_hide_reason_of_invisible_characters_is_refused(text):
    assert WorkHideForm(data={"reason": text}).errors == {"reason": [REQUIRED]}


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_bio_of_invisible_characters_is_stored_as_no_bio(text):
    form = ResearcherEditForm(data={"bio": text})

    assert form.is_valid()
    assert form.cleaned_data["bio"] == ""


def test_text_with_something_to_see_is_kept_as_typed():
    message = "Shall we?\n👩\u200d🔬 from the lab"
    form = InvitationForm(data={"subject": "Hi\u200b", "message": message})

    assert form.is_valid()
    assert form.cleaned_data == {"subject": "Hi\u200b", "message": message}
