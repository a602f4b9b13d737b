# Monitr's image for docker compose: the web server, the worker and beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MONITR_DATA_DIR=/app/var
WORKDIR /app

# Pango (and HarfBuzz's subsetter, fonts) for WeasyPrint's PDFs: statements and printable reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY monitr monitr
COPY integrations integrations
COPY eboekhouden eboekhouden
COPY ledger ledger
COPY ledgerfile ledgerfile
COPY dashboards dashboards
COPY notify notify
RUN pip install .
COPY manage.py gunicorn.conf.py ./
COPY templates templates
COPY static static

RUN useradd --create-home monitr && mkdir -p /app/var && chown -R monitr /app/var
USER monitr
EXPOSE 8000
# Bind address, workers, timeout and access log: gunicorn.conf.py.
CMD ["gunicorn", "monitr.wsgi:application"]
