from django.db import models
from django.db.models import F, Q


class Collaboration(models.Model):
    """An unordered pair of researchers who share works, stored once with a < b."""

    # Indexed by the rank indexes below, which lead with them.
    researcher_a = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    researcher_b = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    shared_works = models.PositiveIntegerField()
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Shared works weighted by recency (docs/graph.md).
    strength = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["researcher_a", "researcher_b"], name="collaboration_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(researcher_a__lt=F("researcher_b")), name="collaboration_ordered_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["researcher_b", "researcher_a"], name="collaboration_by_b"),
            # A researcher's collaborations in rank order, one index per side of the pair
            # (graph.selectors.collaborations_ranked).
            models.Index(
                fields=["researcher_a", "-shared_works", "-strength", "id"],
                name="collaboration_a_rank",
            ),
            models.Index(
                fields=["researcher_b", "-shared_works", "-strength", "id"],
                name="collaboration_b_rank",
            ),
        ]

    def __str__(self):
        return f"{self.researcher_a_id} – {self.researcher_b_id} ({self.shared_works} works)"
