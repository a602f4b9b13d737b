"""``manage.py demo``: Monitr on this machine with a demo organisation, a worker and the e-Boekhouden sandbox.

What ``make demo`` runs. It needs nothing but Python: SQLite, the filesystem Celery broker and the sandbox stand in
for PostgreSQL, Redis and e-Boekhouden. It migrates, makes sure the demo organisation and user exist, starts the
sandbox, the web server (DEBUG off, as customers see it) and a Celery worker (with beat) as child processes, prints
where to go and what to paste, and stops them all on Ctrl-C, or as soon as one of them dies. The demo user's sign-in
survives a restart; e-mail (invitations) is kept in the local outbox, shown at ``/outbox/``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitr.tenancy.models import Membership, Organization, Role
from monitr.tenancy.services import membership_set, organization_create, user_get_or_create

DEMO_ORGANIZATION = "Demo BV"
DEMO_EMAIL = "demo@monitr.local"
DEMO_PASSWORD = "monitr-demo"  # noqa: S105 - a local demo login, printed on start; never a production account


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise CommandError("No free port on 127.0.0.1.")


class Command(BaseCommand):
    help = "Run Monitr locally with a demo organisation, the e-Boekhouden sandbox and a worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("MONITR_DEMO_PORT", 8000)))
        parser.add_argument("--sandbox-port", type=int, default=int(os.environ.get("MONITR_SANDBOX_PORT", 8765)))
        parser.add_argument("--mutations", type=int, default=1500, help="Size of the sandbox's books.")

    def handle(self, *args: Any, port: int, sandbox_port: int, mutations: int, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.ensure_demo_organization()
        children: list[subprocess.Popen[bytes]] = []
        env = self.child_environment()
        try:
            sandbox, info = self.start_sandbox(_free_port(sandbox_port), mutations)
            children.append(sandbox)
            env["EBOEKHOUDEN_REST_URL"] = info["restUrl"]
            env["EBOEKHOUDEN_SOAP_URL"] = info["soapUrl"]
            web_port = _free_port(port)
            manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
            children.append(subprocess.Popen([*manage, "runserver", f"127.0.0.1:{web_port}", "--noreload"], env=env))
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "monitr",
                        "worker",
                        "--beat",
                        "--schedule",
                        str(settings.DATA_DIR / "celerybeat-schedule"),
                        "--pool",
                        "threads",
                        "--concurrency",
                        "4",
                        "--loglevel",
                        "INFO",
                    ],
                    env=env,
                    cwd=settings.BASE_DIR,
                )
            )
            time.sleep(1.5)
            self.print_banner(web_port, info)
            self.wait(children)
        finally:
            self.stop(children)

    def ensure_demo_organization(self) -> None:
        """The demo organisation with the demo user as its admin, signing in with the printed password.

        A restart changes nothing that already holds: setting the same password again would give it a new salt, and
        Django ends every session of a user whose password hash changed, so each ``make demo`` would sign the demo
        user out. The password is set only when it no longer matches (someone changed it)."""
        organization = Organization.objects.filter(name=DEMO_ORGANIZATION).first()
        if organization is None:
            organization = organization_create(
                name=DEMO_ORGANIZATION, admin_email=DEMO_EMAIL, admin_password=DEMO_PASSWORD
            )
        user, _ = user_get_or_create(email=DEMO_EMAIL)
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        membership_set(organization=organization, email=DEMO_EMAIL, role=Role.ADMIN)
        assert Membership.objects.filter(organization=organization, user__email=DEMO_EMAIL, role=Role.ADMIN).exists()

    @staticmethod
    def child_environment() -> dict[str, str]:
        """The environment of the web server and the worker: the demo shows what a customer sees, so DEBUG is off
        (a wrong address gets Monitr's own 404, not Django's debug page with every URL); WhiteNoise still serves the
        static files, from the apps' folders, as in any run that is not production."""
        return dict(os.environ, PYTHONUNBUFFERED="1", DEBUG="false")

    def start_sandbox(self, port: int, mutations: int) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
        command = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "eboekhouden_sandbox",
            "--port",
            str(port),
            "--mutations",
            str(mutations),
            "--json",
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE)
        assert process.stdout is not None
        line = process.stdout.readline()  # the sandbox prints one JSON object once it listens
        if not line:
            process.wait(timeout=5)
            raise CommandError("The e-Boekhouden sandbox did not start; its error is printed above.")
        return process, json.loads(line)

    def print_banner(self, web_port: int, sandbox: dict[str, Any]) -> None:
        out = self.stdout
        admins = sandbox.get("administrations", [])
        width = max((len(admin["company"]) for admin in admins), default=0)
        out.write("")
        out.write(self.style.SUCCESS("Monitr is running."))
        out.write(f"  Open      http://127.0.0.1:{web_port}/")
        out.write(f"  Sign in   {DEMO_EMAIL}  /  {DEMO_PASSWORD}")
        out.write(f"  Sent mail http://127.0.0.1:{web_port}/outbox/  (invitations; nothing leaves this machine)")
        out.write(f"  e-Boekhouden sandbox: REST {sandbox['restUrl']}  SOAP {sandbox['soapUrl']}")
        out.write("  Paste one of these API keys into Integrations → e-Boekhouden → Add → API Key:")
        for admin in admins:
            out.write(f"    {admin['company']:<{width}}  {admin['apiToken']}")
        out.write("  Or the legacy credentials (username / security code 1 / security code 2):")
        for admin in admins:
            legacy = f"{admin['username']} / {admin['securityCode1']} / {admin['securityCode2']}"
            out.write(f"    {admin['company']:<{width}}  {legacy}")
        out.write("  Stop with Ctrl-C.")
        out.write("")

    def wait(self, children: list[subprocess.Popen[bytes]]) -> None:
        stop = {"now": False}

        def _stop(signum: int, frame: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop["now"]:
                for child in children:
                    if child.poll() is not None:
                        self.stderr.write(f"A demo process stopped (exit {child.returncode}); stopping the rest.")
                        return
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass

    def stop(self, children: list[subprocess.Popen[bytes]]) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Monitr demo stopped.")
