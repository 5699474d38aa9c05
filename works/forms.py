from django import forms

from works.text import visible_text


class VisibleTextField(forms.CharField):
    """A CharField that takes text of only invisible characters (zero-width spaces, bidi marks,
    blanks: works.text.visible_text) for no text, so a required field refuses it as empty and
    an optional one stores nothing. Text with something to see is kept as typed."""

    def to_python(self, value):
        value = super().to_python(value)
        return value if visible_text(value) else self.empty_value
