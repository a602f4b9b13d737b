"""Benchmark of the PDFs: a relation's statement of 500 open items, made as a member downloads it.

    .venv/bin/python bench/pdf.py                        # make bench: 500 items, 5 downloads, in English and Dutch
    .venv/bin/python bench/pdf.py --items 50 --runs 1    # a quick check

In a throwaway database: one organisation, its member, one administration and one relation with an address and
``--items`` open invoices of every age. The statement is asked for through its URL by the signed-in member (the
view, its queries, the template and WeasyPrint's layout and PDF, all of it), once to warm up, then ``--runs`` times
in English and as often in Dutch. The figure is the slowest download; its target: under 5 s. Beside it the median,
the median CPU time of the process (the download's cost whatever else the machine runs), the pages and the size of
the file. ``DATABASE_URL`` names the PostgreSQL server (a throwaway database is created on
it); without it SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, database_version, django_on, print_figures, throwaway_database, write_json

TARGET_S = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=500, help="open items of the relation")
    parser.add_argument("--runs", type=int, default=5, help="timed downloads per language")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    args = parser.parse_args(argv)

    with throwaway_database(os.environ.get("DATABASE_URL")) as url, django_on(url):
        user, relation_id = books(items=args.items)
        seconds, cpu, pages, size = measure(user, relation_id, runs=args.runs)
        database = database_version()
    figures = [
        Figure(
            f"statement of {args.items:,} open items: slowest download",
            round(max(seconds), 2),
            "s",
            TARGET_S,
            note=f"{len(seconds)} downloads, English and Dutch",
        ),
        Figure(f"statement of {args.items:,} open items: median download", round(statistics.median(seconds), 2), "s"),
        Figure(
            f"statement of {args.items:,} open items: median CPU time",
            round(statistics.median(cpu), 2),
            "s",
            note="of this process: what the download costs on a machine that is not busy with anything else",
        ),
        Figure(f"statement of {args.items:,} open items: pages", pages, "pages"),
        Figure(f"statement of {args.items:,} open items: file size", round(size / 1024), "KB"),
    ]
    print(f"PDF statement: {args.items:,} open items, {args.runs} downloads per language, {database}")
    print_figures([f.as_dict() for f in figures])
    report = {
        "benchmark": "pdf",
        "parameters": {"items": args.items, "runs": args.runs},
        "database": database,
        "figures": [f.as_dict() for f in figures],
        "details": {"seconds": [round(s, 3) for s in seconds], "cpu_seconds": [round(s, 3) for s in cpu]},
    }
    if args.json:
        write_json(args.json, report)
    return 0 if all(f.met is not False for f in figures) else 1


def books(*, items: int) -> tuple[Any, int]:
    """The member and the relation's id: one relation with an address and ``items`` open invoices, a sixth of them
    part paid, ages from not yet due to two years overdue."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ledger.models import Administration, OutstandingSide, Relation
    from ledger.records import OutstandingItemRecord, RelationRecord
    from ledger.services import outstanding_items_replace, relations_upsert
    from monitr.tenancy.models import Membership, Organization

    organization = Organization.objects.create(name="Hoveniersbedrijf De Groene Vinger B.V.", slug="bench-pdf")
    user = get_user_model().objects.create_user(email="member@bench-pdf.example")
    Membership.objects.create(user=user, organization=organization, role="member")
    administration = Administration.objects.create(
        organization=organization, provider="eboekhouden", external_id="bench-pdf", name="De Groene Vinger B.V."
    )
    relations_upsert(
        administration=administration,
        rows=[
            RelationRecord(
                external_id="1",
                code="1001",
                name="Bakkerij Jansen & Zn.",
                payment_term_days=30,
                address="Kerkstraat 12",
                postal_code="3511 AB",
                city="Utrecht",
                country="NL",
                email="administratie@bakkerijjansen.example",
            )
        ],
    )
    today = timezone.localdate()
    records = []
    for n in range(items):
        invoiced = today - dt.timedelta(days=(n * 733) % 730)
        total = Decimal(50 + (n * 7919) % 950_000) / 100
        paid = (total / 3).quantize(Decimal("0.01")) if n % 6 == 0 else Decimal("0.00")
        records.append(
            OutstandingItemRecord(
                external_id=f"D-{n}",
                source_external_id=f"{n}",
                invoice_number=f"2025-{n:05d}",
                relation_external_id="1",
                invoice_date=invoiced,
                due_date=invoiced + dt.timedelta(days=30),
                total=total,
                paid=paid,
                outstanding=total - paid,
            )
        )
    outstanding_items_replace(administration=administration, side=OutstandingSide.RECEIVABLE, items=records)
    return user, Relation.objects.get(administration=administration).pk


def measure(user: Any, relation_id: int, *, runs: int) -> tuple[list[float], list[float], int, int]:
    """Seconds of each download after a warm-up (wall clock, and this process's CPU time), the pages and the bytes
    of the last one."""
    import io

    from django.test import Client
    from django.urls import reverse
    from pypdf import PdfReader

    client = Client()
    client.force_login(user)
    url = reverse("dashboards:relation_statement_pdf", args=[relation_id])
    content = _download(client, url, "en")
    seconds, cpu = [], []
    for language in ("en", "nl"):
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            content = _download(client, url, language)
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return seconds, cpu, len(PdfReader(io.BytesIO(content)).pages), len(content)


def _download(client: Any, url: str, language: str) -> bytes:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    if response.status_code != 200 or response["Content-Type"] != "application/pdf":
        raise AssertionError(f"the statement answered {response.status_code} {response['Content-Type']}")
    return response.content


if __name__ == "__main__":
    sys.exit(main())
