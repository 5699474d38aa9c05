"""Writes to works that the layers above call: the import services of works.imports."""

from works.imports.demo import demo_data_load
from works.imports.execute import import_run_execute
from works.imports.pipeline import records_import
from works.imports.queue import (
    import_request_for,
    import_run_create,
    import_run_for_researcher,
    import_runs_sweep,
    researchers_refresh_stale,
)
from works.imports.snapshot import snapshot_run_distribute, snapshot_run_resume
from works.ingest.versions import versions_split

__all__ = [
    "demo_data_load",
    "import_request_for",
    "import_run_create",
    "import_run_execute",
    "import_run_for_researcher",
    "import_runs_sweep",
    "records_import",
    "researchers_refresh_stale",
    "snapshot_run_distribute",
    "snapshot_run_resume",
    "versions_split",
]
