import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("graph", "0002_initial"),
        ("works", "0006_researcher_and_hiddenwork_from_profiles"),
    ]

    # The author record (Researcher) and the works its owner hides (HiddenWork) moved from
    # profiles to works, keeping their tables: only Django's idea of the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="collaboration",
                    name="researcher_a",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="works.researcher",
                    ),
                ),
                migrations.AlterField(
                    model_name="collaboration",
                    name="researcher_b",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="works.researcher",
                    ),
                ),
            ],
        ),
    ]
