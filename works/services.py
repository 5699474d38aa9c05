"""Writes to works, for the layers above: the import services (works.imports), re-exported."""

from works.imports import (
    demo_data_load,
    import_request_for,
    import_run_create,
    import_run_execute,
    import_run_for_researcher,
    import_runs_sweep,
    records_import,
    researchers_refresh_stale,
)

__all__ = [
    "demo_data_load",
    "import_request_for",
    "import_run_create",
    "import_run_execute",
    "import_run_for_researcher",
    "import_runs_sweep",
    "records_import",
    "researchers_refresh_stale",
]
