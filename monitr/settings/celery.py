"""Celery: Redis as broker when ``REDIS_URL`` is set, else kombu's filesystem transport, which needs no server.

Read by :mod:`monitr.celery` through ``config_from_object(..., namespace="CELERY")``.
"""

from __future__ import annotations

from celery.schedules import crontab

from .cache import REDIS_URL
from .env import DATA_DIR, env

__all__ = [
    "CELERY_ACCEPT_CONTENT",
    "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP",
    "CELERY_BROKER_TRANSPORT_OPTIONS",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ACKS_LATE",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_TASK_IGNORE_RESULT",
    "CELERY_TASK_REJECT_ON_WORKER_LOST",
    "CELERY_TASK_SERIALIZER",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
    "CELERY_TIMEZONE",
    "CELERY_WORKER_PREFETCH_MULTIPLIER",
    "MONITR_SYNC_LOCK_LEASE_SECONDS",
    "MONITR_SYNC_QUEUED_LEASE_SECONDS",
]

CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within this time is delivered again; it must outlast the longest import. That is
    # also how the task of a worker killed mid-import comes back: a worker sweeps for such messages every
    # CELERY_UNACKED_RESTORE_INTERVAL seconds (kombu's default: about every 100 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600),
        # Priorities (integrations.tasks): a person's Sync now (0) before first imports (3) before the schedule (6),
        # the next slices of runs under way just ahead of their priority's new runs (2, 5); kombu keeps a list per
        # step and a worker takes from the first that holds a task. Lower goes first.
        "priority_steps": [0, 2, 3, 5, 6, 9],
        "sep": ":",
        "queue_order_strategy": "priority",
    }
    _restore_interval = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=0)
    if _restore_interval > 0:
        CELERY_BROKER_TRANSPORT_OPTIONS |= {
            "unacked_restore_interval": _restore_interval,
            "unacked_restore_throttle": 1,
        }

CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "Europe/Amsterdam"
# A task is acknowledged after it ran, so a worker that dies mid-import hands it to the next one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=2 * 3600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=2 * 3600 + 300)
CELERY_TASK_ALWAYS_EAGER: bool = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The lease of a connection's sync lock (integrations.sync.lock): a run renews it as it makes progress, so a run
# whose worker died holds the lock at most this long. Keep it far below CELERY_VISIBILITY_TIMEOUT.
MONITR_SYNC_LOCK_LEASE_SECONDS: int = env.int("MONITR_SYNC_LOCK_LEASE_SECONDS", default=300)
# A sync paused between slices keeps its lock this long while its next slice waits in the queue.
MONITR_SYNC_QUEUED_LEASE_SECONDS: int = env.int("MONITR_SYNC_QUEUED_LEASE_SECONDS", default=3600)

CELERY_BEAT_SCHEDULE = {
    "enqueue-due-syncs": {
        "task": "integrations.tasks.enqueue_due_syncs",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # The e-mail digests that have come due (notify.tasks): each member's hour, Europe/Amsterdam.
    "digests-due": {
        "task": "notify.tasks.digests_due",
        "schedule": crontab(minute=2),
        "options": {"expires": 3000},
    },
    # E-mail the broker could not take when it was queued (monitr.mail.tasks).
    "mail-sweep": {
        "task": "monitr.mail.tasks.mail_sweep",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}
__all__ += ["CELERY_BEAT_SCHEDULE"]
