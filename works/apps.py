from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "works"
    verbose_name = "Works and imports"

    def ready(self):
        # works.imports.queue enqueues import_run_task by name; registering it here lets every
        # process (the web one too, eager in development) find it.
        from works import tasks  # noqa: F401
