from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Researchers and accounts"

    def ready(self):
        from bzpeer import checks  # noqa: F401 - registers the system checks
