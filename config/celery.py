"""Celery application. Broker is Redis when REDIS_URL is set; otherwise tasks run eagerly
in-process (CELERY_TASK_ALWAYS_EAGER, see settings) so the embedded default needs no worker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("coaching")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
