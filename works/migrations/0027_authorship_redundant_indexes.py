"""Authorship's foreign keys lose their own indexes: authorship_unique_position and
authorship_unique_researcher lead with work_id, authorship_by_researcher with researcher_id, so
every lookup either index served is served by those, and each byline written (9.4 million at
10^6 researchers, 332,000 per 50,000 snapshot works) updated two indexes for nothing. Without
the work_id one the planner reads a work's bylines from (work, researcher) and can answer
"which of these people are on it" from the index alone (the slice's papers with near people:
15 ms to 8 at 10^6)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0026_work_keys_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="authorship",
            name="researcher",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="authorships",
                to="works.researcher",
            ),
        ),
        migrations.AlterField(
            model_name="authorship",
            name="work",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="authorships",
                to="works.work",
            ),
        ),
    ]
