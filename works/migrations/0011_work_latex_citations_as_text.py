from django.db import migrations
from django.db.models import Q

from works.sanitize import latex_refs_as_text, title_key_of

BATCH_SIZE = 500


def latex_citations_as_text(apps, schema_editor):
    """Stored titles and abstracts get what ingest now does to new ones (works.sanitize)."""
    Work = apps.get_model("works", "Work")
    candidates = Work.objects.filter(
        Q(abstract__regex=r"\\[A-Za-z]*(cite|ref)") | Q(title__regex=r"\\[A-Za-z]*(cite|ref)")
    ).only("pk", "title", "title_key", "abstract")
    changed = []
    for work in candidates.iterator(chunk_size=BATCH_SIZE):
        title, abstract = latex_refs_as_text(work.title), latex_refs_as_text(work.abstract)
        if (title, abstract) != (work.title, work.abstract):
            work.title, work.abstract = title, abstract
            work.title_key = title_key_of(title)
            changed.append(work)
    Work.objects.bulk_update(changed, ["title", "title_key", "abstract"], batch_size=BATCH_SIZE)


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0010_work_citation_count_unknown"),
    ]

    operations = [
        migrations.RunPython(latex_citations_as_text, migrations.RunPython.noop, elidable=True),
    ]
