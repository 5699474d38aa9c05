"""System checks for BZPEER's own settings."""

from unittest import mock

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.checks.security import base as django_security
from django.core.files.storage import storages

# Django's checks of the settings SecurityMiddleware reads. Each passes silently unless Django's
# own class path is in MIDDLEWARE, so they would never fire for our subclass.
MIDDLEWARE_SETTING_CHECKS = [
    django_security.check_sts,
    django_security.check_sts_include_subdomains,
    django_security.check_sts_preload,
    django_security.check_content_type_nosniff,
    django_security.check_ssl_redirect,
    django_security.check_referrer_policy,
    django_security.check_cross_origin_opener_policy,
]


@checks.register(checks.Tags.security, deploy=True)
def security_middleware_settings(app_configs, **kwargs):
    """Stands in for security.W001 and runs Django's middleware checks for our subclass."""
    if "bzpeer.middleware.SecurityMiddleware" not in settings.MIDDLEWARE:
        return [
            checks.Warning(
                "bzpeer.middleware.SecurityMiddleware is not installed.", id="bzpeer.W001"
            )
        ]
    with mock.patch.object(django_security, "_security_middleware", return_value=True):
        return [message for check in MIDDLEWARE_SETTING_CHECKS for message in check(app_configs)]


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_files_manifest(app_configs, **kwargs):
    """Without collectstatic's manifest every {% static %} raises and every page answers 500;
    gunicorn.conf.py runs the deploy checks, so the server refuses to start instead. Deploy only:
    collectstatic itself and the other commands must run before the files are collected."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.manifest_storage.exists(storage.manifest_name):
        return []
    return [
        checks.Error(
            f"The static files manifest {storage.manifest_storage.path(storage.manifest_name)} "
            "is missing: with DEBUG off every page would answer 500.",
            hint="Run `python manage.py collectstatic --noinput` first.",
            id="bzpeer.E001",
        )
    ]
