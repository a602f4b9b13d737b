"""``manage.py sync_eboekhouden (--connection ID | --organization SLUG | --all) [--full] [--since DATE] [--inline]``

``manage.py sync`` for e-Boekhouden's connections only, kept under the name the docs and habits know.
"""

from __future__ import annotations

from integrations.management.commands.sync import Command as SyncCommand

from ...provider import EboekhoudenProvider


class Command(SyncCommand):
    help = "Sync e-Boekhouden connections (manage.py sync for e-Boekhouden's only): queue them, or run them --inline."
    provider_key = EboekhoudenProvider.key
