"""Two organisations with books, connections, sync runs and API tokens, for the security suites.

Acme BV (organisation A) is the one the crawls sign in to. Zorgvlied Holding (organisation B) has the same kinds of
objects, every one of them named or numbered with a marker (:data:`B_MARKERS`) that must never show up in anything A's
users get: pages, exports, API answers.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.http import HttpResponse
from django.utils import timezone

from dashboards.models import RelationNote
from dashboards.note_services import note_create
from dashboards.selectors.notes import note_items
from integrations.models import Connection, Integration, SyncRun, SyncRunStatus, SyncTrigger
from ledger.models import Account, Administration, Relation, Transaction
from ledger.records import AccountKind, AccountRecord
from ledger.services import accounts_upsert
from ledgerfile.models import LedgerUpload
from ledgerfile.reading import Source
from ledgerfile.services import new_external_id, upload_store
from monitr.accounts.models import ApiToken
from monitr.accounts.tokens import api_token_create
from monitr.tenancy.invitations import invitation_create
from monitr.tenancy.models import Invitation, Membership, Organization, Role
from notify.alerts import alerts_check
from notify.models import AlertKind, AlertRule
from tests.dashboards.factories import PAYABLE, RECEIVABLE, Books, item
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.pdftext import PDF_MAGIC, pdf_text

# Text that only organisation B's data contains. Amounts in every way a page or export writes them.
B_MARKERS = (
    "Zorgvlied",
    "ZOR-INV-4711",
    "zorg-admin@",
    "987654",
    "987,654",
    "987.654",
    "Qx-run-secret",
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Tenant:
    organization: Organization
    admin: Any
    member: Any
    administration: Administration
    account: Account
    relation: Relation
    transaction: Transaction
    connection: Connection
    run: SyncRun
    token: ApiToken
    token_secret: str
    ledger_upload: LedgerUpload  # a ledger file the admin uploaded and has not imported yet
    invitation: Invitation  # an open invitation the admin sent
    note: RelationNote  # the admin's note on the customer, its follow-up due today (another one is on its invoice)
    alert_rule: AlertRule  # followed by the admin; fired for the customer, so a notification names it


def _tenant(organization: Organization, *, prefix: str, admin_email: str, amount: str) -> Tenant:
    admin = MembershipFactory(organization=organization, role=Role.ADMIN, user=UserFactory(email=admin_email)).user
    member = MembershipFactory(organization=organization, role=Role.MEMBER).user
    books = Books.create(organization, name=f"{prefix} Books BV")
    accounts_upsert(
        administration=books.administration,
        rows=[
            AccountRecord(external_id="special", code="4999", name=f"{prefix} Ledger", kind=AccountKind.PROFIT_AND_LOSS)
        ],
    )
    books.relations(f"{prefix} Customer BV", f"{prefix} Supplier BV")
    today = timezone.localdate()
    invoice = f"{prefix[:3].upper()}-INV-4711"
    books.invoice(invoice, side=RECEIVABLE, day=today - timedelta(days=40), amount=amount)
    books.invoice(f"{invoice}-P", side=PAYABLE, day=today - timedelta(days=10), amount=amount, relation="rel-2")
    books.payment(f"{invoice}-B", day=today - timedelta(days=5), amount="100.00")
    books.open_items(
        RECEIVABLE,
        [
            item(
                invoice,
                relation="rel-1",
                invoiced=today - timedelta(days=40),
                due=today - timedelta(days=10),
                total=amount,
                invoice_number=invoice,
            )
        ],
    )
    books.open_items(
        PAYABLE,
        [
            item(
                f"{invoice}-P",
                relation="rel-2",
                invoiced=today - timedelta(days=10),
                due=today + timedelta(days=20),
                total=amount,
                invoice_number=f"{invoice}-P",
            )
        ],
    )
    books.snapshot(today - timedelta(days=1))
    integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
    connection = Connection.objects.create(
        integration=integration,
        administration=books.administration,
        credentials={"api_token": f"{prefix}-token-0123456789"},
        credentials_hint="••••6789",
    )
    run = SyncRun.objects.create(
        connection=connection,
        administration=books.administration,
        trigger=SyncTrigger.MANUAL,
        status=SyncRunStatus.FAILED,
        error_message=f"{prefix} Qx-run-secret" if prefix == "Zorgvlied" else "A refused key.",
        finished_at=timezone.now(),
    )
    issued = api_token_create(user=admin, organization=organization, name=f"{prefix} token")
    ledger_upload = upload_store(
        organization=organization,
        external_id=new_external_id(),
        administration_name=f"{prefix} Upload BV",
        journal=Source.from_bytes(
            "ledger.csv",
            f"date,entry,account_code,description,debit,credit\n2025-01-02,1,1100,{prefix},{amount},\n"
            f"2025-01-02,1,8000,{prefix},,{amount}\n".encode(),
        ),
        user=admin,
    )
    invitation = invitation_create(
        organization=organization, email=f"invitee@{prefix.lower()}.example", role=Role.MEMBER, invited_by=admin
    ).invitation
    customer = books.relation("rel-1")
    note = note_create(
        relation=customer, side=RECEIVABLE, author=admin, text=f"{prefix} promised to pay", follow_up_on=today
    )
    note_create(
        relation=customer,
        side=RECEIVABLE,
        author=admin,
        text=f"{prefix} disputes the invoice",
        item=note_items(organization=organization, relation=customer, side=RECEIVABLE)[0],
        promised_on=today,
    )
    admin_membership = Membership.objects.get(user=admin, organization=organization)
    alert_rule = AlertRule.objects.create(
        organization=organization, kind=AlertKind.RELATION_OVERDUE_AMOUNT, amount=0, created_by=admin_membership
    )
    alert_rule.followers.add(admin_membership)
    assert alerts_check(organization=organization), "the customer's overdue invoice crosses the rule"
    return Tenant(
        organization=organization,
        admin=admin,
        member=member,
        administration=books.administration,
        account=Account.objects.get(administration=books.administration, external_id="special"),
        relation=books.relation("rel-1"),
        transaction=Transaction.objects.get(administration=books.administration, external_id=invoice),
        connection=connection,
        run=run,
        token=issued.token,
        token_secret=issued.secret,
        ledger_upload=ledger_upload,
        invitation=invitation,
        note=note,
        alert_rule=alert_rule,
    )


@dataclass
class Tenants:
    a: Tenant
    b: Tenant

    @property
    def b_markers(self) -> tuple[str, ...]:
        """B's names and amounts, and ids of B's that no one else has: its administration's GUID and its API token's
        prefix (database ids are small numbers that A's objects have too)."""
        return (*B_MARKERS, self.b.administration.external_id, self.b.token.prefix)


@pytest.fixture
def tenants(db) -> Tenants:
    a = _tenant(
        OrganizationFactory(name="Acme BV"), prefix="Acme", admin_email="acme-admin@a.example", amount="1210.00"
    )
    b = _tenant(
        OrganizationFactory(name="Zorgvlied Holding"),
        prefix="Zorgvlied",
        admin_email="zorg-admin@b.example",
        amount="987654.32",
    )
    return Tenants(a=a, b=b)


def tenant_state(organization: Organization) -> dict[str, list[tuple]]:
    """Every row the organisation owns (each model with a ``tenant_path``, its API tokens, the organisation itself),
    as plain values: two states compare equal only when nothing of the organisation was added, changed or deleted."""
    state: dict[str, list[tuple]] = {}
    for model in apps.get_models():
        path = getattr(model, "tenant_path", None)
        if path:
            rows = model._default_manager.filter(**{"pk" if path == "self" else path: organization.pk})
            state[model._meta.label] = _values(model, rows)
    state["accounts.ApiToken"] = _values(ApiToken, ApiToken.objects.filter(organization=organization))
    state["tenancy.Organization"] = _values(Organization, Organization.objects.filter(pk=organization.pk))
    state["tenancy.Membership+"] = _values(Membership, Membership.objects.filter(organization=organization))
    return state


def _values(model: type[Model], rows) -> list[tuple]:
    return sorted(
        tuple(str(v) for v in row) for row in rows.values_list(*[f.attname for f in model._meta.concrete_fields])
    )


def body_text(response: HttpResponse) -> str:
    """The text a user gets: the page, the streamed CSV, the strings inside an XLSX, the text of a PDF, or the
    JSON."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(PDF_MAGIC):  # a PDF: its text, read back
        return pdf_text(content)
    if content[:2] == b"PK":  # an XLSX: the text lives in the XML parts of the zip
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml"))
    text = content.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json") and text:
        # Decoded too, so that a marker escaped by the JSON encoder (\u00e9...) is still found.
        text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    return text


def leaked(text: str, markers=B_MARKERS) -> list[str]:
    return [marker for marker in markers if marker in text]
