from django.db import migrations, models


def counts_never_reported_to_unknown(apps, schema_editor):
    """A 0 stored for a work whose source sent no cited_by_count (arXiv, the demo) was never a
    count: make it unknown. Counts an OpenAlex record reported, 0 included, stay."""
    Work = apps.get_model("works", "Work")
    Work.objects.filter(citation_count=0).exclude(source_payload__has_key="cited_by_count").update(
        citation_count=None
    )


def unknown_counts_to_zero(apps, schema_editor):
    Work = apps.get_model("works", "Work")
    Work.objects.filter(citation_count=None).update(citation_count=0)


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0009_work_feed_order_by_publication_year"),
    ]

    operations = [
        migrations.AlterField(
            model_name="work",
            name="citation_count",
            field=models.PositiveIntegerField(blank=True, default=None, null=True),
        ),
        migrations.RunPython(counts_never_reported_to_unknown, unknown_counts_to_zero),
    ]
