"""A real Celery worker in a process of its own (``celery -A monitr worker``), pointed at this test's database,
the Redis broker and the sandbox, that a test can kill with SIGKILL and start again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

# Redelivery of a dead worker's task, and the lease of its lock, shortened from hours and minutes to seconds.
VISIBILITY_TIMEOUT = 6
RESTORE_INTERVAL = 1
LOCK_LEASE = 2


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, poll: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def worker_env(sandbox) -> dict[str, str]:
    settings_dict = connection.settings_dict
    user, password = quote(settings_dict["USER"] or "", safe=""), quote(settings_dict["PASSWORD"] or "", safe="")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    database = f"postgres://{user}:{password}@{host}:{port}/{settings_dict['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": database,  # the test database pytest-django made (test_<name>), where the test commits
        "EBOEKHOUDEN_REST_URL": sandbox.rest_url,
        "EBOEKHOUDEN_SOAP_URL": sandbox.soap_url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_UNACKED_RESTORE_INTERVAL": str(RESTORE_INTERVAL),
        "MONITR_SYNC_LOCK_LEASE_SECONDS": str(LOCK_LEASE),
        "PYTHONUNBUFFERED": "1",
    }


class WorkerProcess:
    def __init__(
        self, env: dict[str, str], log_path: Path, name: str, *, pool: str = "solo", concurrency: int = 1
    ) -> None:
        self.log_path = log_path
        celery = Path(sys.executable).with_name("celery")
        command = [str(celery), "-A", "monitr", "worker", f"--pool={pool}", "--loglevel=INFO", "-n", f"{name}@%h"]
        if pool != "solo":
            command.append(f"--concurrency={concurrency}")
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches the worker and nothing else
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()
