"""Monitr's settings, read from the environment.

The base module holds what every deployment shares; each concern (database, Celery, cache, security, logging,
integrations, e-mail) has a small module of its own. With nothing set, Monitr runs for development on embedded defaults:
SQLite, a filesystem Celery broker and generated development keys. ``MONITR_ENV=production`` switches on the
production checks in :mod:`monitr.settings.security`.
"""

from .api import *  # noqa: F403
from .base import *  # noqa: F403
from .cache import *  # noqa: F403
from .celery import *  # noqa: F403
from .database import *  # noqa: F403
from .email import *  # noqa: F403
from .integrations import *  # noqa: F403
from .logging import *  # noqa: F403
from .security import *  # noqa: F403
