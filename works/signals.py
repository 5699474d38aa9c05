"""Domain signals works sends; the layers above connect receivers (works imports none of them).

records_changed(researcher_ids, graph_researcher_ids): an import wrote works and bylines.
Sent by works.imports, once per slice of an import run (inside the slice's checkpoint, so what
the receivers write commits with it or not at all) and once per records_import call.
researcher_ids: the researchers whose counts and trust may have changed; graph_researcher_ids:
those of them whose collaboration pairs may have. profiles.receivers connects the pipeline's
next step (collaborations, then counts and trust).

records_loaded(researcher_ids, graph_researcher_ids): a bulk load (a snapshot import) wrote
many works; sent once, after all of them, with everyone they touched. Its receiver rebuilds
the same things set-based, in chunks, instead of pair by pair.
"""

from django.dispatch import Signal

records_changed = Signal()
records_loaded = Signal()
