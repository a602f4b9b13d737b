"""The one ``env`` object every settings module reads from, and the paths it needs.

An ``.env`` file at the project root is read when present (docker compose users keep their secrets there); variables
already in the environment win.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

MONITR_ENV: str = env.str("MONITR_ENV", default="development").lower()
if MONITR_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"MONITR_ENV must be development, test or production, not {MONITR_ENV!r}.")
IS_PRODUCTION = MONITR_ENV == "production"

# Local state of a development or demo run: the SQLite database, the filesystem broker's folders and the
# generated development keys. Git ignores it.
DATA_DIR = Path(env.str("MONITR_DATA_DIR", default=str(BASE_DIR / "var")))


def development_secrets() -> dict[str, str]:
    """Keys for development, generated once and kept in a git-ignored file so sessions and encrypted
    credentials survive a restart. Never used in production."""
    path = DATA_DIR / "dev-secrets.json"
    try:
        stored = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        stored = {}
    wanted = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(50),
        "MONITR_FIELD_ENCRYPTION_KEYS": lambda: Fernet.generate_key().decode(),
    }
    if not all(stored.get(name) for name in wanted):
        stored = {name: stored.get(name) or make() for name, make in wanted.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


def required_in_production(name: str, dev_value: str) -> str:
    """The variable's value; in production a missing one stops start-up with a message naming it."""
    value = env.str(name, default="")
    if value:
        return value
    if IS_PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when MONITR_ENV=production.")
    return dev_value
