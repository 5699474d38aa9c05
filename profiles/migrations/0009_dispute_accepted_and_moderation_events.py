import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0008_claim_code_derived_and_event_mailed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimdispute",
            name="accepted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="claimdispute",
            name="accepted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="claimevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("revoked", "Revoked"),
                    ("code_sent", "Code sent"),
                    ("code_failed", "Code failed"),
                    ("disputed", "Disputed"),
                    ("upheld", "Dispute closed, claim upheld"),
                    ("linked", "Linked to another record of the same person"),
                    ("unlinked", "Link to another record removed"),
                    ("accepted", "Dispute accepted: it weighs on the trust score"),
                    ("suspended", "Holder's account suspended"),
                ],
                max_length=16,
            ),
        ),
    ]
