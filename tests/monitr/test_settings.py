"""Settings: embedded defaults for development, and a production mode that refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from monitr.settings.cache import next_redis_database

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "MONITR_ENV": "production",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-for-django-checks-0123456789",
    "ALLOWED_HOSTS": "monitr.example.com",
    "MONITR_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MONITR_", "DATABASE_URL", "SECRET_KEY"))}
    clean.pop("ALLOWED_HOSTS", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    clean.update(env, MONITR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="monitr.settings")
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "MONITR_FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without_each_secret(missing, tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert f"{missing} must be set when MONITR_ENV=production" in result.stderr


def test_behind_a_tls_proxy_production_refuses_to_start_without_trusted_proxies(tmp_path):
    result = run_manage("check", env={**PRODUCTION, "BEHIND_TLS_PROXY": "true"}, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "TRUSTED_PROXIES is empty" in result.stderr


def test_a_trusted_proxy_that_is_no_address_is_refused(tmp_path):
    env = {**PRODUCTION, "BEHIND_TLS_PROXY": "true", "TRUSTED_PROXIES": "10.0.0.1,proxy.example.com"}

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "'proxy.example.com' is not an IP address or network" in result.stderr


def test_behind_a_tls_proxy_with_trusted_proxies_production_starts(tmp_path):
    env = {**PRODUCTION, "BEHIND_TLS_PROXY": "true", "TRUSTED_PROXIES": "127.0.0.1, 172.16.0.0/12, ::1"}

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr


def test_the_deploy_check_passes_in_production_mode(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_keys_are_generated_once_and_kept(tmp_path):
    first = run_manage("check", env={}, tmp_path=tmp_path)
    stored = (tmp_path / "dev-secrets.json").read_text()
    second = run_manage("check", env={}, tmp_path=tmp_path)

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert (tmp_path / "dev-secrets.json").read_text() == stored
    assert oct((tmp_path / "dev-secrets.json").stat().st_mode & 0o777) == "0o600"


def test_with_nothing_set_monitr_uses_sqlite_and_a_serverless_broker(tmp_path):
    script = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.DEBUG)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    clean.update(MONITR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="monitr.settings", MONITR_ENV="development")
    out = subprocess.run([sys.executable, "-c", script], env=clean, capture_output=True, text=True, cwd=ROOT)

    assert out.stdout.split() == ["django.db.backends.sqlite3", "filesystem://", "True"], out.stderr


def test_database_and_redis_urls_switch_the_backends(tmp_path):
    script = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'],"
        " s.CACHES['default']['LOCATION'])"
    )
    clean = dict(
        os.environ,
        MONITR_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="monitr.settings",
        MONITR_ENV="development",
        DATABASE_URL="postgres://u@db.invalid:5432/monitr",
        REDIS_URL="redis://cache.invalid:6379/0",
    )
    clean.pop("CELERY_BROKER_URL", None)
    out = subprocess.run([sys.executable, "-c", script], env=clean, capture_output=True, text=True, cwd=ROOT)

    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache.invalid:6379/0",
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.invalid:6379/1",  # not the broker's database: clearing the cache keeps the queued tasks
    ], out.stderr


@pytest.mark.parametrize(
    ("broker", "cache"),
    [
        ("redis://h:6379/0", "redis://h:6379/1"),
        ("redis://h:6379", "redis://h:6379/1"),
        ("redis://:pw@h:6379/15", "redis://:pw@h:6379/0"),
        ("rediss://h:6380/4?ssl_cert_reqs=none", "rediss://h:6380/5?ssl_cert_reqs=none"),
    ],
)
def test_the_cache_takes_the_database_after_the_brokers(broker, cache):
    assert next_redis_database(broker) == cache


def test_a_redis_url_whose_path_is_no_database_number_is_refused():
    with pytest.raises(ValueError, match="database number"):
        next_redis_database("redis://h:6379/cache")


HEADERS_SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
get_user_model().objects.create_user(email="ops@example.test", password="a long production password")
client = Client()
plain = client.get("/login/", secure=False)
page = client.get("/login/", secure=True)
signed_in = client.post(
    "/login/", {"username": "ops@example.test", "password": "a long production password",
    "csrfmiddlewaretoken": page.cookies["csrftoken"].value}, secure=True,
)
def cookie(response, name):
    morsel = response.cookies[name]
    return {key: morsel[key] for key in ("secure", "httponly", "samesite")}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "headers": dict(page.headers),
    "signed_in": signed_in.status_code,
    "csrftoken": cookie(page, "csrftoken"),
    "sessionid": cookie(signed_in, "sessionid"),
}))
"""


def test_production_responses_carry_the_security_headers_and_cookie_flags(tmp_path):
    import json

    env = {**PRODUCTION, "ALLOWED_HOSTS": "testserver", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MONITR_", "DATABASE_URL", "SECRET_KEY"))}
    clean.update(env, MONITR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="monitr.settings")
    clean.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", HEADERS_SCRIPT], env=clean, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    headers = {k.lower(): v for k, v in seen["headers"].items()}

    assert seen["plain"] == [301, "https://testserver/login/"]  # plain HTTP goes to HTTPS
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    policy = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "camera=()" in headers["permissions-policy"]
    assert seen["signed_in"] == 302
    assert seen["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["csrftoken"] == {"secure": True, "httponly": True, "samesite": "Lax"}
