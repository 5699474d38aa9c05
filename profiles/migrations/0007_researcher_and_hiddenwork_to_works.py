import django.db.models.deletion
from django.db import migrations, models


def content_types_follow(apps, schema_editor, *, old, new):
    """Keep permissions and admin history attached to the moved models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model__in=["researcher", "hiddenwork"]).update(
        app_label=new
    )


def forwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="profiles", new="works")


def backwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="works", new="profiles")


class Migration(migrations.Migration):
    dependencies = [
        ("graph", "0003_researcher_in_works"),
        ("profiles", "0006_researcher_linked_records"),
        ("social", "0002_researcher_in_works"),
        ("works", "0006_researcher_and_hiddenwork_from_profiles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The author record (Researcher) and the works its owner hides (HiddenWork) moved from
    # profiles to works, keeping their tables: only Django's idea of the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="researcher",
                    name="institution",
                ),
                migrations.RemoveField(
                    model_name="researcher",
                    name="primary",
                ),
                migrations.AlterField(
                    model_name="trustassessment",
                    name="researcher",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trust_assessments",
                        to="works.researcher",
                    ),
                ),
                migrations.AlterField(
                    model_name="claim",
                    name="researcher",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="claims",
                        to="works.researcher",
                    ),
                ),
                migrations.DeleteModel(
                    name="HiddenWork",
                ),
                migrations.DeleteModel(
                    name="Researcher",
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
