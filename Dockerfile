# BZPEER web and Celery image. Build: docker compose build (or docker build -t bzpeer .)

# --- Front-end libraries: npm at build time, copied the way the Makefile's static/vendor does ---
FROM node:20-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p vendor/katex/contrib \
 && cp node_modules/htmx.org/dist/htmx.min.js vendor/ \
 && cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css vendor/katex/ \
 && cp -r node_modules/katex/dist/fonts vendor/katex/ \
 && cp node_modules/katex/dist/contrib/auto-render.min.js vendor/katex/contrib/

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
