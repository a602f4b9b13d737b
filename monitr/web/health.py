"""What ``/healthz`` checks: the database answers a query and the Celery broker accepts a connection."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a health check reports every failure instead of raising it
        return {
            "ok": False,
            "error": type(exc).__name__,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    from monitr.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def run_checks() -> dict[str, dict[str, Any]]:
    return {"database": _timed(_database), "broker": _timed(_broker)}
