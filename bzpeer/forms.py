from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """{{ form }} renders with templates/forms/fields.html, the template allauth's account pages
    use too: one form style everywhere."""

    form_template_name = "forms/fields.html"
