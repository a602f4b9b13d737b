"""The Celery application. Tasks are found in each app's ``tasks.py``; settings come from ``CELERY_*``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitr.settings")

app = Celery("monitr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
