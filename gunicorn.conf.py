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
