# The production image: web (gunicorn + whitenoise), worker and beat all run it.
# Build: docker compose build   (see docker-compose.yml)

# psycopg2 is built from source, so the compiler and libpq headers stay in this stage.
FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md* ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=vendorgov.settings.production
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
       libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app
COPY --from=build /wheels /wheels
# The project's own wheel is empty (pyproject: packages = []): this installs its pinned deps.
RUN pip install --no-index --find-links /wheels vendorgov && rm -rf /wheels

WORKDIR /app
COPY . .
# Static files are baked into the image; whitenoise serves them with hashed names.
# The settings need a key and hosts to import; these throwaway values exist only for this step.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /data/media \
    && chown -R app:app /app/var /data/media

USER app
EXPOSE 8000
# Processes, threads and worker class: /app/gunicorn.conf.py, chosen from the load test's
# figures (bench/RESULTS.md); WEB_CONCURRENCY and WEB_THREADS override them.
CMD ["gunicorn", "vendorgov.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-"]
