from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Researchers and accounts"

    def ready(self):
        from bzpeer import checks  # noqa: F401 - registers the system checks
        from profiles import receivers
        from works.signals import records_changed, records_loaded

        records_changed.connect(
            receivers.records_changed_refresh, dispatch_uid="profiles.records_changed_refresh"
        )
        records_loaded.connect(
            receivers.records_loaded_rebuild, dispatch_uid="profiles.records_loaded_rebuild"
        )
