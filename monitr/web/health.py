"""``/healthz``: the database answers a query, the Celery broker accepts a connection, the cache answers a read.

Each check reports ``"status": "ok"`` or ``"down"``. The database and the broker are needed (without the broker nothing
syncs), so either one down answers 503. The cache is not: sign-in throttling counts in the web process's memory while
it is down (see :mod:`monitr.accounts.throttle`), so a cache that is down answers 200 with ``"status": "degraded"``.

It is answered by the first middleware, before the HTTPS redirect and the allowed-hosts check: container
healthchecks and load balancers call it over plain HTTP on an internal address. It reveals no data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


def _timed(check: Any, *, required: bool) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a health check reports every failure instead of raising it
        return {
            "ok": False,
            "status": "down",
            "required": required,
            "error": type(exc).__name__,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return {"ok": True, "status": "ok", "required": required, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    from monitr.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _cache() -> None:
    cache.get("healthz")  # a read reaches the server; the answer does not matter


def run_checks() -> dict[str, dict[str, Any]]:
    return {
        "database": _timed(_database, required=True),
        "broker": _timed(_broker, required=True),
        "cache": _timed(_cache, required=False),
    }


def health_response() -> JsonResponse:
    checks = run_checks()
    healthy = all(check["ok"] for check in checks.values() if check["required"])
    status = "failing" if not healthy else "ok" if all(check["ok"] for check in checks.values()) else "degraded"
    response = JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    PATH = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == self.PATH and request.method in {"GET", "HEAD"}:
            return health_response()
        return self.get_response(request)
