"""System checks for BZPEER's own settings."""

from unittest import mock

from django.conf import settings
from django.core import checks
from django.core.checks.security import base as django_security

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
