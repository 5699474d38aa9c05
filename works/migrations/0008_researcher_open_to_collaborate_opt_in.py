from django.db import migrations, models


def unclaimed_records_closed(apps, schema_editor):
    # Nobody consented for an unclaimed record; a claimed record keeps what its holder chose.
    Researcher = apps.get_model("works", "Researcher")
    Researcher.objects.filter(is_claimed=False).update(open_to_collaborate=False)


class Migration(migrations.Migration):
    dependencies = [("works", "0007_researcher_name_needs_review")]

    operations = [
        migrations.AlterField(
            model_name="researcher",
            name="open_to_collaborate",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(unclaimed_records_closed, migrations.RunPython.noop),
    ]
