from django.db import migrations, models
from django.db.models import F


class Migration(migrations.Migration):
    dependencies = [("works", "0018_snapshot_partition")]

    operations = [
        # The researcher list (profiles.selectors.LISTING_KEYS): most works first, then highest
        # trust, then by name. The counts are negated so that one row comparison walks all four
        # keys for a keyset page (bzpeer.keyset); an index range scan serves any page.
        migrations.AddIndex(
            model_name="researcher",
            index=models.Index(
                F("works_count") * -1,
                F("trust_score") * -1,
                F("display_name"),
                F("id"),
                condition=models.Q(unlisted=False),
                name="researcher_listing",
            ),
        ),
    ]
