from django.db import migrations, models

import works.models


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0008_researcher_open_to_collaborate_opt_in"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="work",
            name="work_feed_order",
        ),
        migrations.AddIndex(
            model_name="work",
            index=models.Index(
                models.OrderBy(works.models.FeedDate(), descending=True),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="work_feed_order",
            ),
        ),
    ]
