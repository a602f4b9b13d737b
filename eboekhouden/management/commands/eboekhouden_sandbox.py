"""``manage.py eboekhouden_sandbox``: run the fake e-Boekhouden in the foreground and print how to reach it.

A thin wrapper: the sandbox itself needs no Django (see ``eboekhouden.sandbox.cli``). Point Monitr at it with
``EBOEKHOUDEN_REST_URL`` and ``EBOEKHOUDEN_SOAP_URL``.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand

from eboekhouden.sandbox import Sandbox
from eboekhouden.sandbox.cli import add_arguments, config_from, describe


class Command(BaseCommand):
    help = "Run the e-Boekhouden sandbox (fake REST and SOAP APIs with generated books) until Ctrl-C."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = Sandbox.build(config_from(options))
        sandbox.run_forever(on_ready=lambda s: describe(s, self.stdout, as_json=options["json"]))
