import django.db.models.functions.text
from django.db import migrations, models


def approved_codes_verified(apps, schema_editor):
    """An approved e-mail claim was proven by a code, so its address is verified: from when it
    was approved. Where one address already holds several approved claims (the flaw this
    constraint closes), only the first approved is marked, so the constraint can be added
    without deciding the others here; they stay approved, unmarked, for a moderator to review
    (approved e-mail claims whose email_verified_at is empty)."""
    Claim = apps.get_model("profiles", "Claim")
    marked = set()
    approved = Claim.objects.filter(state="approved", method="email").exclude(email="")
    for claim in approved.order_by("decided_at", "pk"):
        address = claim.email.lower()
        if address in marked:
            continue
        marked.add(address)
        claim.email_verified_at = claim.decided_at or claim.created_at
        claim.save(update_fields=["email_verified_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0009_dispute_accepted_and_moderation_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(approved_codes_verified, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("email_verified_at__isnull", False), ("state", "approved")),
                name="claim_one_approved_per_verified_email",
            ),
        ),
    ]
