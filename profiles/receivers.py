"""Receivers of the domain signals of the layers below; connected in ProfilesConfig.ready()."""

from graph.services import collaborations_refresh
from profiles.services import researcher_stats_refresh


def records_changed_refresh(sender, *, researcher_ids, graph_researcher_ids, **kwargs) -> None:
    """The import pipeline's step after ingest (works.signals.records_changed): the
    collaborations first, then counts and trust, which count the collaborations. Runs in the
    sender's transaction, so a failure leaves the ids pending on the import run."""
    collaborations_refresh(researcher_ids=graph_researcher_ids)
    researcher_stats_refresh(researcher_ids=researcher_ids)
