"""Gunicorn's settings for the shipped stack: gunicorn reads ./gunicorn.conf.py from its working
directory (the image's /app), so the Dockerfile and docker-compose.yml get these without a flag.
https://docs.gunicorn.org/en/stable/settings.html

Gunicorn bounds the request line and the headers; it has no setting for the body. The body's
limit is Django's DATA_UPLOAD_MAX_MEMORY_SIZE (bzpeer/settings.py) and, in front of it, the
reverse proxy's client_max_body_size (docs/operations.md)."""

# The longest address the site makes is well under 1 kB; a search query is cut at 200 characters.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
# A slow or stuck request frees its worker after this many seconds.
timeout = 30
graceful_timeout = 30


def on_starting(server):
    """Django's system checks with the deployment ones, once, before any worker starts (gunicorn
    runs none itself): a site that would answer 500 on every page (no static files manifest,
    bzpeer.E001) refuses to start and says what to run. Warnings are printed and let it start."""
    import os
    import sys

    import django
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    django.setup()
    try:
        call_command("check", deploy=True)
    except SystemCheckError as error:
        sys.exit(f"BZPEER will not start:\n{error}")
    # Else the forked workers inherit the unflushed report and print it again.
    sys.stdout.flush()
