"""Hostile text through a real import: relation and ledger names and a mutation's texts with HTML and ``<script>``,
10,000 characters, right-to-left text, emoji, NUL bytes and spreadsheet formulas are renamed at the source (the
sandbox), synced, and then every page, export and API answer is read.

The import keeps the data (NUL bytes removed, over-long names shortened with an ellipsis, the rest as given) and
nothing crashes; pages escape everything; CSV exports neutralise formulas.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from dashboards.exports import SpreadsheetLocale
from eboekhouden.provider import Transport
from integrations.models import SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from ledger.models import Account, Relation, Transaction
from monitr.accounts.tokens import api_token_create
from tests.connections import connect

from .conftest import body_text
from .crawl import crawled

pytestmark = pytest.mark.django_db(transaction=True)

LONG = ("Lange naam van een relatie " * 400)[:10_000]
RELATION_NAMES = [
    '<script>alert("relation")</script> & Zonen',
    '=HYPERLINK("http://evil.example","klik")',
    "Nul\x00Byte BV",
    LONG,
    "\u202eRTL שלום עולם مرحبا BV",
    "Bakkerij 🍞🥐 👩‍👩‍👧 BV",
    "@SUM(1+1) Holding",
    "+31 Telecom",
]
LEDGER_NAMES = {
    "8000": '<img src=x onerror=alert("ledger")>',
    "8100": "Omzet\x00laag",
    "8200": LONG,
    "4000": "Kosten 🚀 \u202eRTL",
    "8900": "-2+3 Rekenwerk",
}
DESCRIPTION = '<script>alert("mutation")</script>\x00 =1+1'
INVOICE = "=2+3-XSS\x00"
RAW_HTML = ("<script>alert(", "<img src=x")  # escaped, they read &lt;script&gt;... and &lt;img ...


def stored(text: str) -> str:
    """What Monitr keeps of a source text: no NUL bytes; at most 255 characters for a name, the last an ellipsis."""
    text = text.replace("\x00", "")
    return text if len(text) <= 255 else text[:254] + "…"


@pytest.fixture
def hostile_books(eboekhouden_sandbox, eboekhouden_sandbox_administration):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    open_items = sandbox.outstanding(guid, "D") + sandbox.outstanding(guid, "C")
    # The relations of open items first (they are on the Outstanding Items pages and exports), then the others.
    used = [i["relationId"] for i in open_items] + [m["relationId"] for m in sandbox.truth(guid) if m.get("relationId")]
    relation_ids = list(dict.fromkeys(used))
    renamed = dict(zip(relation_ids, RELATION_NAMES, strict=False))
    assert len(renamed) == len(RELATION_NAMES)
    for relation_id, name in renamed.items():
        sandbox.edit_relation(guid, relation_id, {"name": name})
    ledgers = {b["code"]: b["ledgerId"] for b in sandbox.balances(guid)}
    for code, name in LEDGER_NAMES.items():
        sandbox.edit_ledger(guid, ledgers[code], {"description": name})
    sandbox.add_mutation(
        guid,
        {
            "type": 2,
            "date": "2025-12-01",
            "ledgerId": ledgers["1300"],
            "relationId": relation_ids[0],
            "invoiceNumber": INVOICE,
            "termOfPayment": 30,
            "description": DESCRIPTION,
            "rows": [
                {"ledgerId": ledgers["8000"], "amount": "100.00", "vatCode": "HOOG_VERK_21", "description": DESCRIPTION}
            ],
        },
    )
    return renamed


@pytest.fixture
def imported(organization, sandbox_settings, eboekhouden_sandbox_administration, hostile_books):
    connection = connect(organization, eboekhouden_sandbox_administration)
    outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")
    run = SyncRun.objects.get(pk=outcome.run_id)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error_message
    return connection


def test_the_import_keeps_hostile_names_without_nul_bytes(imported, hostile_books):
    administration = imported.administration
    names = set(Relation.objects.filter(administration=administration).values_list("name", flat=True))
    assert {stored(n) for n in RELATION_NAMES} <= names
    accounts = dict(Account.objects.filter(administration=administration).values_list("code", "name"))
    assert {code: accounts[code] for code in LEDGER_NAMES} == {c: stored(n) for c, n in LEDGER_NAMES.items()}
    invoice = Transaction.objects.get(administration=administration, invoice_number=stored(INVOICE))
    assert invoice.description == stored(DESCRIPTION)
    assert invoice.lines.filter(description=stored(DESCRIPTION)).exists()


def test_the_soap_import_keeps_them_too(
    organization, sandbox_settings, eboekhouden_sandbox_administration, hostile_books
):
    connection = connect(organization, eboekhouden_sandbox_administration, transport=Transport.SOAP)
    run = SyncRun.objects.get(pk=sync_run_execute(connection_id=connection.pk, trigger="manual").run_id)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error_message
    names = set(Relation.objects.filter(administration=connection.administration).values_list("name", flat=True))
    assert {stored(n) for n in RELATION_NAMES} <= names
    accounts = dict(Account.objects.filter(administration=connection.administration).values_list("code", "name"))
    assert {code: accounts[code] for code in LEDGER_NAMES} == {c: stored(n) for c, n in LEDGER_NAMES.items()}


def test_every_page_escapes_the_hostile_names(imported, admin_user, organization, hostile_books):
    client = Client()
    client.force_login(admin_user)
    administration = imported.administration
    relation = Relation.objects.get(administration=administration, name=stored(RELATION_NAMES[0]))
    account = Account.objects.get(administration=administration, code="8000")
    transaction = Transaction.objects.get(administration=administration, invoice_number=stored(INVOICE))
    extra = [
        f"/dashboards/outstanding/items/?relation={relation.pk}",
        f"/dashboards/transactions/?relation={relation.pk}",
        "/dashboards/transactions/?q=script",
        f"/dashboards/accounts/{account.pk}/",
        f"/dashboards/transactions/{transaction.pk}/",
        "/dashboards/outstanding/?side=payable",
        "/dashboards/outstanding/items/?side=payable",
        "/dashboards/mapping/",
        "/dashboards/statements/pnl/revenue/",
        "/integrations/accounting/",
        f"/integrations/connections/{imported.pk}/history/",
        f"/integrations/connections/{imported.pk}/status/",
    ]
    failures, escaped_seen = [], False
    urls = [u for route in crawled() for u in _urls(route)] + extra
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = body_text(response)
        failures += [f"{url}: unescaped {raw!r}" for raw in RAW_HTML if raw in html]
        escaped_seen |= "&lt;script&gt;alert(" in html
    assert not failures, "\n".join(failures)
    assert escaped_seen  # the names were on the pages, escaped


def _urls(route) -> list[str]:
    # Pages with arguments are in the test's own list, filled with the imported objects.
    return [] if route.kwargs else [reverse(route.name)]


def test_csv_exports_neutralise_formulas(imported, admin_user, hostile_books):
    client = Client()
    client.force_login(admin_user)
    cells = []
    for url in (
        "/dashboards/outstanding/export/relations.csv",
        "/dashboards/outstanding/export/items.csv",
        "/dashboards/outstanding/export/relations.csv?side=payable",
        "/dashboards/outstanding/export/items.csv?side=payable",
        f"/dashboards/transactions/export.csv?date_from=2020-01-01&date_to={date.today().isoformat()}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_text(response).lstrip("\ufeff")
        cells += [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    texts = set(cells)
    for name in RELATION_NAMES:
        if name[0] in "=+-@":
            assert stored(name) not in texts  # never bare
    assert "'" + stored(RELATION_NAMES[1]) in texts
    assert "'" + stored(INVOICE) in texts
    assert "'" + stored(DESCRIPTION) not in texts and stored(DESCRIPTION) in texts  # starts with "<": not a formula
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not _number(c))]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_xlsx_exports_hold_the_names_as_text(imported, admin_user, hostile_books):
    client = Client()
    client.force_login(admin_user)
    for table in ("relations", "items"):
        response = client.get(f"/dashboards/outstanding/export/{table}.xlsx")
        assert response.status_code == 200
        xml = body_text(response)
        assert "<f>" not in xml  # no formula cell anywhere
        assert "HYPERLINK" in xml  # the name is there, as a string


def test_the_api_returns_the_names_as_data(imported, admin_user, organization, hostile_books):
    client = APIClient()
    secret = api_token_create(user=admin_user, organization=organization, name="tests").secret
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    names = []
    for url in ("/api/v1/relations/?page_size=1000", "/api/v1/accounts/?page_size=1000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
        names += [row["name"] for row in json.loads(response.content)["results"]]
    expected = {stored(n) for n in RELATION_NAMES} | {stored(n) for n in LEDGER_NAMES.values()}
    assert expected <= set(names)
    transactions = client.get("/api/v1/transactions/?q=alert&page_size=100")
    assert transactions.status_code == 200
    assert stored(DESCRIPTION) in [t["description"] for t in transactions.json()["results"]]


def _csv_locale(language: str) -> SpreadsheetLocale:
    with translation.override(language):
        return SpreadsheetLocale.active()


ENGLISH_CSV, DUTCH_CSV = _csv_locale("en"), _csv_locale("nl")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_that_starts_like_a_formula_is_neutralised(start):
    for locale in (ENGLISH_CSV, DUTCH_CSV):
        assert locale.text(f"{start}1+1") == f"'{start}1+1"
        assert locale.text(f"A{start}1") == f"A{start}1"  # only the start counts


def test_csv_numbers_and_dates_are_written_as_values():
    from decimal import Decimal

    assert ENGLISH_CSV.text(Decimal("-12.50")) == "-12.50"  # a negative amount stays a number
    assert DUTCH_CSV.text(Decimal("-12.50")) == "-12,50"
    assert ENGLISH_CSV.text(date(2025, 1, 31)) == "2025-01-31"
    assert DUTCH_CSV.text(date(2025, 1, 31)) == "31-01-2025"


def test_the_sandbox_control_api_renames_at_the_source(eboekhouden_sandbox, eboekhouden_sandbox_administration):
    import requests

    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    relation_id = sandbox.outstanding(guid, "D")[0]["relationId"]
    base = f"{sandbox.control_url.rstrip('/')}/administrations/{guid}"

    renamed = requests.patch(f"{base}/relations/{relation_id}", json={"name": "<b>Nieuw</b>"}, timeout=10)
    unknown_field = requests.patch(f"{base}/relations/{relation_id}", json={"colour": "red"}, timeout=10)
    unknown_ledger = requests.patch(f"{base}/ledgers/1", json={"description": "x"}, timeout=10)

    assert renamed.status_code == 200 and renamed.json()["name"] == "<b>Nieuw</b>"
    assert unknown_field.status_code == 400 and "colour" in unknown_field.json()["error"]
    assert unknown_ledger.status_code == 404
    assert sandbox.outstanding(guid, "D")[0]["company"] == "<b>Nieuw</b>"  # every view reads the new name
