"""A relation's address and e-mail, for statements of open items: read from e-Boekhouden (REST and SOAP), stored as
the sandbox gives them, kept current by the next sync, and never rewritten by a sync that changed nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from eboekhouden.client.dto import Relation as SourceRelation
from eboekhouden.client.parsing import loads, relation_from_json
from eboekhouden.provider import Transport
from eboekhouden.sandbox.generator import generate_administration
from eboekhouden.sync.reference import statement_email
from ledger.models import Relation
from tests.connections import connect, sync

ADDRESS = ("address", "postal_code", "city", "country", "email")


def expected(relation: dict) -> tuple[str, ...]:
    """What Monitr stores of a relation as the REST API shows it (docs/eboekhouden.md: the e-mail for reminders,
    else for invoices, else the general one)."""
    email = relation["emailAddressReminder"] or relation["emailAddressInvoice"] or relation["emailAddress"]
    return (relation["address"], relation["postalCode"], relation["city"], relation["country"], email)


def stored(connection) -> dict[str, tuple[str, ...]]:
    rows = Relation.objects.filter(administration=connection.administration)
    return {row[0]: tuple(row[1:]) for row in rows.values_list("external_id", *ADDRESS)}


def test_the_rest_relation_carries_its_address_and_e_mail_addresses():
    answer = {
        "id": 7,
        "code": "1007",
        "address": "Kerkstraat 12",
        "postalCode": "3511 AB",
        "city": "Utrecht",
        "country": "NL",
        "emailAddress": "info@alpha.example",
        "emailAddressInvoice": "facturen@alpha.example",
        "emailAddressReminder": None,
    }

    relation = relation_from_json(loads(json.dumps(answer)))

    assert (relation.address, relation.postal_code, relation.city, relation.country) == (
        "Kerkstraat 12",
        "3511 AB",
        "Utrecht",
        "NL",
    )
    assert (relation.email, relation.email_invoice, relation.email_reminder) == (
        "info@alpha.example",
        "facturen@alpha.example",
        None,
    )


@pytest.mark.parametrize(
    ("reminder", "invoice", "general", "chosen"),
    [
        ("debiteuren@a.example", "facturen@a.example", "info@a.example", "debiteuren@a.example"),
        (None, "facturen@a.example", "info@a.example", "facturen@a.example"),
        ("  ", None, " info@a.example\n", "info@a.example"),
        (None, None, None, ""),
    ],
)
def test_a_statement_goes_to_the_reminder_address_else_the_invoice_address_else_the_general_one(
    reminder, invoice, general, chosen
):
    relation = SourceRelation(id=1, code="1", email=general, email_invoice=invoice, email_reminder=reminder)

    assert statement_email(relation) == chosen


def test_the_sandbox_gives_dutch_addresses_some_abroad_and_some_none_the_same_for_the_same_seed():
    def relations():
        return generate_administration("addresses", 0, 1, False, 2, date(2025, 12, 31), mutations=20_000).relations

    first = relations()

    assert first == relations()
    at_home = [r for r in first if r.country == "NL"]
    abroad = [r for r in first if r.country not in ("NL", "")]
    without = [r for r in first if not r.address]
    assert len(at_home) > 0.8 * len(first)
    assert all(r.postal_code[:4].isdigit() and r.postal_code[4:] == r.postal_code[4:].upper() for r in at_home)
    assert {r.country for r in abroad} == {"België", "Duitsland"} and all(r.type == "B" for r in abroad)
    assert without and all(r.type == "P" and not (r.city or r.postal_code or r.country) for r in without)
    assert any(r.email_reminder.startswith("debiteuren@") for r in first)


@pytest.mark.django_db(transaction=True)
def test_a_sync_stores_every_relations_address_as_the_sandbox_has_it(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    truth = eboekhouden_sandbox.relations(eboekhouden_sandbox_administration.guid)

    sync(sandbox_connection)

    assert stored(sandbox_connection) == {str(r["id"]): expected(r) for r in truth}
    assert all(r["address"] and r["city"] for r in truth if r["type"] == "B")


@pytest.mark.django_db(transaction=True)
def test_a_second_sync_without_changes_writes_no_relation(sandbox_connection):
    sync(sandbox_connection)
    before = list(Relation.objects.order_by("pk").values_list("pk", *ADDRESS))

    run = sync(sandbox_connection)

    assert run.counts["relations"]["new"] == run.counts["relations"]["changed"] == 0, run.counts
    assert list(Relation.objects.order_by("pk").values_list("pk", *ADDRESS)) == before


@pytest.mark.django_db(transaction=True)
def test_a_moved_relation_is_moved_by_the_next_sync(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    guid = eboekhouden_sandbox_administration.guid
    sync(sandbox_connection)
    relation = eboekhouden_sandbox.relations(guid)[0]

    eboekhouden_sandbox.edit_relation(
        guid, relation["id"], {"address": "  Nieuwe Gracht 3\n", "postal_code": "2011 NB", "city": "Haarlem"}
    )
    run = sync(sandbox_connection)

    moved = Relation.objects.get(administration=sandbox_connection.administration, external_id=str(relation["id"]))
    assert (moved.address, moved.postal_code, moved.city) == ("Nieuwe Gracht 3", "2011 NB", "Haarlem")
    assert run.counts["relations"]["changed"] == 1, run.counts


@pytest.mark.django_db(transaction=True)
def test_over_soap_the_same_addresses_arrive_with_the_general_e_mail(
    db, organization, other_organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox_administration
    rest = connect(organization, info)
    soap = connect(other_organization, info, transport=Transport.SOAP)

    sync(rest)
    sync(soap)

    truth = {str(r["id"]): r for r in eboekhouden_sandbox.relations(info.guid)}
    over_soap = stored(soap)
    assert {key: value[:4] for key, value in over_soap.items()} == {
        key: value[:4] for key, value in stored(rest).items()
    }
    assert {key: value[4] for key, value in over_soap.items()} == {key: r["emailAddress"] for key, r in truth.items()}
