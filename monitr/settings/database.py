"""The database: ``DATABASE_URL`` (PostgreSQL through psycopg 3), else SQLite in the local data folder."""

from __future__ import annotations

import os

from .env import DATA_DIR, env

__all__ = ["DATABASES"]

if env.str("DATABASE_URL", default=""):
    _db = env.db_url("DATABASE_URL")
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        _db["CONN_HEALTH_CHECKS"] = True
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "monitr.sqlite3",
        # A web server and a worker write to the same file: wait for the other's lock instead of failing.
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        },
        # Tests use a file too, not SQLite's shared in-memory database, whose table locks fail at once where a
        # file waits: the tests that run a worker or several triggers side by side need the real behaviour. One file
        # per test process, so that test runs side by side never share one.
        "TEST": {"NAME": str(DATA_DIR / f"test-monitr-{os.getpid()}.sqlite3")},
    }

DATABASES = {"default": _db}
