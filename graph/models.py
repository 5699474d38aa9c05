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

    def other(self, researcher_id: int):
        """The pair's other researcher."""
        return self.researcher_b if self.researcher_a_id == researcher_id else self.researcher_a


class ResearcherTopic(models.Model):
    """How many of a researcher's shown works (WorkQuerySet.shown_on) are on a topic: the graph
    slice's and the explorer's topics, kept by graph.services.neighbourhood_refresh wherever
    bylines, topics or hidden works change. Counting them on every page read every topic row of
    every work, about 15,000 index probes for a 2,000-work researcher (docs/scaling.md)."""

    researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.ForeignKey("works.Topic", on_delete=models.CASCADE, related_name="+")
    works = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["researcher", "topic"], name="researchertopic_unique"),
        ]
        # Most first: the slice and the explorer read the first few.
        indexes = [models.Index(fields=["researcher", "-works"], name="researchertopic_rank")]

    def __str__(self):
        return f"{self.researcher_id} – topic {self.topic_id} ({self.works} works)"


class ResearcherInstitution(models.Model):
    """An institution named on a researcher's shown works, kept like ResearcherTopic: works,
    how many of those works name it on any byline (the slice's nearby institutions); bylines,
    how many of the researcher's own bylines name it (their affiliations, the explorer's)."""

    researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    institution = models.ForeignKey("works.Institution", on_delete=models.CASCADE, related_name="+")
    works = models.PositiveIntegerField()
    bylines = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "institution"], name="researcherinstitution_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["researcher", "-works"], name="researcherinstitution_rank"),
            # Their own affiliations, a few of the rows.
            models.Index(
                fields=["researcher", "-bylines"],
                name="researcherinstitution_own",
                condition=Q(bylines__gt=0),
            ),
        ]

    def __str__(self):
        return f"{self.researcher_id} – institution {self.institution_id} ({self.works} works)"
