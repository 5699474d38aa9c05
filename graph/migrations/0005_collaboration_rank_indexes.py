"""A researcher's collaborations in rank order (most shared works, then strength), one index
per side of the pair: the explorer and the slice read the first few instead of sorting every
collaboration of a prolific researcher (6,085 at 10^6 researchers). They lead with the
foreign keys, whose own indexes they replace."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("graph", "0004_collaboration_page_touch"),
        ("works", "0024_page_touch_guard"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="collaboration",
            index=models.Index(
                fields=["researcher_a", "-shared_works", "-strength", "id"],
                name="collaboration_a_rank",
            ),
        ),
        migrations.AddIndex(
            model_name="collaboration",
            index=models.Index(
                fields=["researcher_b", "-shared_works", "-strength", "id"],
                name="collaboration_b_rank",
            ),
        ),
        migrations.AlterField(
            model_name="collaboration",
            name="researcher_a",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="works.researcher",
            ),
        ),
        migrations.AlterField(
            model_name="collaboration",
            name="researcher_b",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="works.researcher",
            ),
        ),
    ]
