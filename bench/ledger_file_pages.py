"""Benchmark of the Ledger file pages with a file near the size limit: how long each step of the upload takes in the
web process, where gunicorn's worker timeout applies.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitr .venv/bin/python bench/ledger_file_pages.py
    .venv/bin/python bench/ledger_file_pages.py --mib 5 --order account       # a smaller file, sorted by account

The file: a general ledger CSV in the default layout (date, entry, account_code, account_name, description, debit,
credit, account_type, relation, cost_centre) of ``--mib`` MiB (49 by default, just under the 50 MiB limit), of
two-line entries, either in journal order (each entry's rows together, ``--order journal``) or sorted by account as
a general ledger export often is (an entry's rows far apart, ``--order account``), or both (the default).

Each step is one request through Django's test ``Client`` as a signed-in admin, in a throwaway database: the upload
(``POST /integrations/ledger-file/add/``: the file received and stored, its check started), the check (in the
worker for a file of more than 2 MB: run here, in this process, as the worker would run it, and timed apart), a
poll of the check page while the check runs, the preview (``GET``) and the import (``POST`` of the preview: the
connection made and its first sync queued; the queue is replaced by a no-op, the sync itself is the worker's and is
not measured here). The figure is the wall time of each, the multipart encoding of the test client left out.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, django_on, print_figures, throwaway_database

HEADER = "date,entry,account_code,account_name,description,debit,credit,account_type,relation,cost_centre\r\n"
ACCOUNTS = (("8000", "Omzet", "revenue"), ("4500", "Kantoorkosten", "cost"), ("8100", "Omzet diensten", "revenue"))
MIB = 1024 * 1024


def _rows(number: int) -> tuple[str, str]:
    day = f"2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
    code, name, kind = ACCOUNTS[number % len(ACCOUNTS)]
    amount = f"{number % 9000 + 10}.{number % 100:02d}"
    bank, other = (f"{amount},", f",{amount}") if kind == "revenue" else (f",{amount}", f"{amount},")
    relation = f"Relatie {number % 500}"
    return (
        f"{day},E{number},1100,Bank,Boeking {number} {relation},{bank},bank,{relation},\r\n",
        f"{day},E{number},{code},{name},Boeking {number} {relation},{other},{kind},{relation},"
        f"Afdeling {number % 5}\r\n",
    )


def write_ledger(path: Path, size: int, order: str) -> int:
    """A ledger of about ``size`` bytes in ``order``; returns the number of entries."""
    entries = []
    written = len(HEADER)
    while written < size:
        rows = _rows(len(entries))
        written += len(rows[0]) + len(rows[1])
        entries.append(rows)
    if order == "journal":
        lines = [row for rows in entries for row in rows]
    else:  # sorted by account: every entry's bank row in the first part of the file, its other row further on
        lines = [rows[0] for rows in entries] + sorted((rows[1] for rows in entries), key=lambda r: r.split(",")[2])
    with path.open("w", encoding="ascii", newline="") as file:
        file.write(HEADER)
        file.writelines(lines)
    return len(entries)


def measure(path: Path, order: str) -> list[Figure]:
    from django.db import connection
    from django.test import Client
    from django.test.client import BOUNDARY, encode_multipart
    from django.urls import reverse

    from integrations.models import Connection
    from ledgerfile.models import LedgerUpload
    from ledgerfile.services import upload_check_run
    from monitr.tenancy.models import Membership, Organization, Role

    user_model = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    organization = Organization.objects.create(name=f"Bench {order}", slug=f"bench-{order}")
    user = user_model.objects.create_user(email=f"{order}@bench.test", password=None)
    Membership.objects.create(organization=organization, user=user, role=Role.ADMIN)
    client = Client()
    client.force_login(user)

    # The body is encoded before the clock starts; a content type the client does not encode again.
    encoded = f"multipart/form-data;boundary={BOUNDARY}"
    with path.open("rb") as file:
        body = encode_multipart(BOUNDARY, {"name": f"Bench {order}", "ledger": file})
    started = time.perf_counter()
    response = client.post(reverse("ledgerfile:add"), body, content_type=encoded)
    upload_seconds = time.perf_counter() - started
    assert response.status_code == 302, response.content[:2000]
    check_url = response.url
    upload = LedgerUpload.objects.get(organization=organization)
    assert check_url.endswith("/check/") and upload.check_state == "waiting", (check_url, upload.check_state)

    polls: list[float] = []
    checked = threading.Event()

    def poll() -> None:  # the page's status, every second, as the browser asks for it while the check runs
        poller = Client()
        poller.force_login(user)
        try:
            while not checked.is_set():
                started = time.perf_counter()
                assert poller.get(check_url, headers={"HX-Request": "true"}).status_code == 200
                polls.append(time.perf_counter() - started)
                checked.wait(1)
        finally:
            connection.close()  # this thread's own

    polling = threading.Thread(target=poll)
    polling.start()
    started = time.perf_counter()
    upload_check_run(upload_id=upload.pk, token=upload.check_token)  # what the worker runs
    check_seconds = time.perf_counter() - started
    checked.set()
    polling.join()

    response = client.get(check_url)
    assert response.status_code == 302 and response.url.endswith("/preview/"), response.content[:2000]
    preview_url = response.url
    started = time.perf_counter()
    response = client.get(preview_url)
    preview_seconds = time.perf_counter() - started
    assert response.status_code == 200 and b"data-figure" in response.content, response.content[:2000]

    started = time.perf_counter()
    response = client.post(preview_url)
    import_seconds = time.perf_counter() - started
    assert response.status_code == 302 and Connection.objects.filter(administration__name=f"Bench {order}").exists()
    stored = LedgerUpload.objects.filter(organization=organization).count()

    size = f"{path.stat().st_size / MIB:.1f} MiB, {order} order"
    return [
        Figure(f"upload request ({size})", round(upload_seconds, 2), "s", target=30),
        Figure(f"check in the worker ({size})", round(check_seconds, 1), "s"),
        Figure(
            f"check page poll, slowest ({size})",
            round(max(polls), 2),
            "s",
            target=30,
            note=f"{len(polls)} polls",
            runs=[round(p, 3) for p in polls],
        ),
        Figure(f"preview request ({size})", round(preview_seconds, 2), "s", target=30),
        Figure(
            f"import request ({size})", round(import_seconds, 2), "s", target=30, note=f"{stored} upload row(s) kept"
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=float, default=49, help="the file's size in MiB (default 49)")
    parser.add_argument("--order", choices=("journal", "account", "both"), default="both")
    arguments = parser.parse_args()
    orders = ("journal", "account") if arguments.order == "both" else (arguments.order,)
    figures: list[Figure] = []
    with (
        tempfile.TemporaryDirectory(prefix="monitr-bench-ledger-") as folder,
        throwaway_database(os.environ.get("DATABASE_URL")) as url,
        django_on(url),
    ):
        import integrations.tasks
        import ledgerfile.tasks

        # The worker's part: the sync is not measured, the check is run by measure() itself.
        integrations.tasks.sync_connection.delay = lambda *args, **kwargs: None
        ledgerfile.tasks.check_upload.delay = lambda *args, **kwargs: None
        for order in orders:
            path = Path(folder) / f"ledger-{order}.csv"
            write_ledger(path, int(arguments.mib * MIB), order)
            figures += measure(path, order)
    print_figures([figure.as_dict() for figure in figures])


if __name__ == "__main__":
    main()
