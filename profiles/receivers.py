"""Receivers of the domain signals of the layers below; connected in ProfilesConfig.ready()."""

from graph.services import collaborations_rebuild, collaborations_refresh, neighbourhood_refresh
from profiles.services import researcher_stats_refresh


def records_changed_refresh(sender, *, researcher_ids, graph_researcher_ids, **kwargs) -> None:
    """The import pipeline's step after ingest (works.signals.records_changed): the
    collaborations, topics and institutions first, then counts and trust, which count the
    collaborations. Runs in the sender's transaction, so a failure leaves the ids pending on the
    import run."""
    collaborations_refresh(researcher_ids=graph_researcher_ids)
    neighbourhood_refresh(researcher_ids=researcher_ids)
    researcher_stats_refresh(researcher_ids=researcher_ids)


# Researchers per counts-and-trust transaction after a bulk load.
LOADED_CHUNK = 2_000


def records_loaded_rebuild(sender, *, researcher_ids, graph_researcher_ids, **kwargs) -> None:
    """After a bulk load (works.signals.records_loaded): the collaborations set-based, then
    topics, institutions, counts and trust as after any import, a chunk of researchers at a time
    (each researcher's are computed from stored bylines, not from the others')."""
    collaborations_rebuild(researcher_ids=graph_researcher_ids)
    ids = sorted(researcher_ids)
    for start in range(0, len(ids), LOADED_CHUNK):
        neighbourhood_refresh(researcher_ids=ids[start : start + LOADED_CHUNK])
        researcher_stats_refresh(researcher_ids=ids[start : start + LOADED_CHUNK])
