# One image for the web server, the Celery worker and Celery beat.
# The image defaults to production settings, which refuse to start without DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS and a PostgreSQL DATABASE_URL; docker-compose.yml sets a local demo instead.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    SME_VAR_DIR=/app/var \
    DJANGO_STATIC_ROOT=/app/staticfiles

# gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Static files are collected with the production storage (hashed names and a manifest), so the
# image serves them through WhiteNoise under any settings module. The values below exist only for
# this build step; none of them is stored in the image's environment.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-runtime-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    CELERY_BROKER_URL=memory:// \
    sh -c "python manage.py collectstatic --noinput && python manage.py compilemessages" \
    && mkdir -p /app/var/media /app/var/mail \
    && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
