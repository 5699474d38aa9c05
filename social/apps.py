from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = "Following and invitations"

    def ready(self):
        from social import receivers  # noqa: F401 - connects the receivers
