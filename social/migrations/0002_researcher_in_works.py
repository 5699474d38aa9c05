import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0001_initial"),
        ("works", "0006_researcher_and_hiddenwork_from_profiles"),
    ]

    # The author record (Researcher) and the works its owner hides (HiddenWork) moved from
    # profiles to works, keeping their tables: only Django's idea of the models changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="follow",
                    name="researcher",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follows",
                        to="works.researcher",
                    ),
                ),
                migrations.AlterField(
                    model_name="invitation",
                    name="recipient_researcher",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations_received",
                        to="works.researcher",
                    ),
                ),
                migrations.AlterField(
                    model_name="invitation",
                    name="sender_researcher",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations_sent",
                        to="works.researcher",
                    ),
                ),
            ],
        ),
    ]
