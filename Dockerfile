# BZPEER web and Celery image. Build: docker compose build (or docker build -t bzpeer .)

# --- Front-end libraries: npm at build time, copied by bin/vendor-static as `make install` does --
# (htmx, cytoscape and katex: the one list is in that script).
FROM node:20-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
COPY bin/vendor-static bin/
RUN sh bin/vendor-static node_modules vendor

# --- Application ---------------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# Dependencies first, pinned by the lock file, so code changes reuse this layer.
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock . && rm -rf build *.egg-info

COPY . .
COPY --from=frontend /build/vendor static/vendor

# collectstatic imports the settings, which refuse to load without a SECRET_KEY when DEBUG is
# off. This key exists only for this build step; the running container gets the real one.
RUN SECRET_KEY=build-time-only-not-a-secret DEBUG=0 python manage.py collectstatic --noinput \
      --verbosity 0

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bzpeer
USER bzpeer

EXPOSE 8000
# Workers: gunicorn reads WEB_CONCURRENCY (default 1); compose sets it. Request limits and the
# timeout: gunicorn.conf.py.
CMD ["gunicorn", "bzpeer.wsgi:application", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-"]
