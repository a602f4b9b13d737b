"""What every Monitr deployment shares: apps, middleware, templates, static files, i18n."""

from __future__ import annotations

from .env import (
    BASE_DIR,
    DATA_DIR,
    IS_PRODUCTION,
    MONITR_ENV,
    development_secrets,
    env,
    required_in_production,
)

__all__ = [
    "ALLOWED_HOSTS",
    "AUTHENTICATION_BACKENDS",
    "AUTH_PASSWORD_VALIDATORS",
    "AUTH_USER_MODEL",
    "BASE_DIR",
    "CSRF_TRUSTED_ORIGINS",
    "DATA_DIR",
    "DEBUG",
    "DEFAULT_AUTO_FIELD",
    "FORMAT_MODULE_PATH",
    "INSTALLED_APPS",
    "INVITATION_EXPIRY_DAYS",
    "IS_PRODUCTION",
    "LANGUAGES",
    "LANGUAGE_CODE",
    "LOCALE_PATHS",
    "LOGIN_REDIRECT_URL",
    "LOGIN_URL",
    "LOGOUT_REDIRECT_URL",
    "MIDDLEWARE",
    "MONITR_ENV",
    "MONITR_FIELD_ENCRYPTION_KEYS",
    "MONITR_SITE_URL",
    "ROOT_URLCONF",
    "SECRET_KEY",
    "STATICFILES_DIRS",
    "STATIC_ROOT",
    "STATIC_URL",
    "STORAGES",
    "TEMPLATES",
    "TIME_ZONE",
    "USE_I18N",
    "USE_TZ",
    "WHITENOISE_AUTOREFRESH",
    "WHITENOISE_USE_FINDERS",
    "WSGI_APPLICATION",
]

_dev = {} if IS_PRODUCTION else development_secrets()

DEBUG: bool = env.bool("DEBUG", default=MONITR_ENV == "development")
SECRET_KEY: str = required_in_production("SECRET_KEY", _dev.get("SECRET_KEY", ""))
# Comma-separated Fernet keys, newest first; separate from SECRET_KEY so either can be rotated alone.
MONITR_FIELD_ENCRYPTION_KEYS: list[str] = [
    key.strip()
    for key in required_in_production(
        "MONITR_FIELD_ENCRYPTION_KEYS", _dev.get("MONITR_FIELD_ENCRYPTION_KEYS", "")
    ).split(",")
    if key.strip()
]
ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when MONITR_ENV=production.")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "monitr.accounts",
    "monitr.tenancy",
    "monitr.mail",
    "monitr.web",
    "ledger",
    "integrations",
    "eboekhouden",
    "ledgerfile",
    "dashboards",
    "notify",
]

MIDDLEWARE = [
    "monitr.web.health.HealthCheckMiddleware",
    "monitr.web.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "monitr.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the user's choice (monitr.web.language, after authentication), else the language cookie, else
    # the browser's Accept-Language, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "monitr.web.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "monitr.web.idle.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "monitr.tenancy.middleware.OrganizationMiddleware",
    "monitr.web.cache.PrivateResponsesMiddleware",
]

ROOT_URLCONF = "monitr.urls"
WSGI_APPLICATION = "monitr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "monitr.web.context_processors.navigation",
                "monitr.tenancy.context_processors.organizations",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Days an invitation's link works (monitr.tenancy.invitations); Resend on the members page starts them again.
INVITATION_EXPIRY_DAYS: int = env.int("INVITATION_EXPIRY_DAYS", default=7)
# Where people reach Monitr: the links of e-mail the worker sends (digests), which has no request to take it from.
MONITR_SITE_URL: str = env.str("MONITR_SITE_URL", default="http://127.0.0.1:8000")

LANGUAGE_CODE = "en-gb"
# Each language by its own name, as a language menu shows them. British English is the source language of the
# strings; Dutch, the language of e-Boekhouden's users, is in locale/nl (docs/translating.md).
LANGUAGES = [("en-gb", "English"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["monitr.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves the collected files in production; in development it finds them in the apps and static/.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
