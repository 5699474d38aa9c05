from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = "Following and invitations"

    def ready(self):
        from social import signals  # noqa: F401 - completes a follow asked for before login
