"""The REST gateway: paging, filters as the API writes them, and each endpoint's DTOs."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from eboekhouden.client import Administration, CostCentre, LedgerBalance, MutationType, Side
from eboekhouden.client.dto import Unreadable
from eboekhouden.client.rest import RestGateway
from integrations.errors import AccessDenied, NotFound

from .conftest import BASE, list_answer, session_answer


def ledger(number: int) -> dict:
    return {"id": 1000 + number, "code": f"{number:04d}", "description": f"Ledger {number}", "category": "BAL"}


def serve_pages(mocked, path: str, items: list[dict]) -> list[dict]:
    """Serve ``items`` through ``limit``/``offset`` like the API does; return the query of every call."""
    queries: list[dict] = []

    def page(request):
        query = {key: values[0] for key, values in parse_qs(urlsplit(request.url).query).items()}
        queries.append(query)
        offset, limit = int(query["offset"]), int(query["limit"])
        chunk = items[offset : offset + limit]
        return (200, {"Content-Type": "application/json"}, json.dumps({"items": chunk, "count": len(chunk)}))

    mocked.add_callback("GET", f"{BASE}{path}", callback=page)
    return queries


def test_lists_are_read_in_pages_of_2000_until_a_short_page(gateway, mocked):
    queries = serve_pages(mocked, "/v1/ledger", [ledger(n) for n in range(4500)])

    ledgers = list(gateway.ledgers())

    assert len(ledgers) == 4500
    assert [(q["limit"], q["offset"]) for q in queries] == [("2000", "0"), ("2000", "2000"), ("2000", "4000")]


def test_paging_across_many_pages_returns_every_item_once_in_order(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    serve_pages(mocked, "/v1/ledger", [ledger(n) for n in range(95)])

    ledgers = list(RestGateway(make_client(page_size=10)).ledgers())

    assert [item.id for item in ledgers] == [1000 + n for n in range(95)]


def test_a_list_that_fills_its_last_page_exactly_ends_on_an_empty_page(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    queries = serve_pages(mocked, "/v1/ledger", [ledger(n) for n in range(20)])

    ledgers = list(RestGateway(make_client(page_size=10)).ledgers())

    assert len(ledgers) == 20
    assert [q["offset"] for q in queries] == ["0", "10", "20"]


def test_mutation_headers_filter_the_date_window_as_the_api_writes_it(gateway, mocked):
    listing = mocked.get(f"{BASE}/v1/mutation", json=list_answer([]))

    list(gateway.mutation_headers(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))

    query = parse_qs(urlsplit(listing.calls[0].request.url).query)
    assert query["date[range]"] == ["2025-01-01,2025-12-31"]


def test_whether_a_window_holds_mutations_is_asked_for_one_item(gateway, mocked):
    header = {"id": 7, "type": 2, "date": "2025-03-04", "ledgerId": 1, "amount": 10}
    listing = mocked.get(f"{BASE}/v1/mutation", json=list_answer([header]))
    mocked.get(f"{BASE}/v1/mutation", json=list_answer([]))

    assert gateway.has_mutations(dt.date(1990, 1, 1), dt.date(2025, 12, 31)) is True
    assert gateway.has_mutations(dt.date(1990, 1, 1), dt.date(2020, 12, 31)) is False

    query = parse_qs(urlsplit(listing.calls[0].request.url).query)
    assert (query["date[range]"], query["limit"], query["offset"]) == (["1990-01-01,2025-12-31"], ["1"], ["0"])
    assert gateway.calls["GET /v1/mutation"] == 2


@pytest.mark.parametrize(
    ("count", "told"),
    [(1234, 1234), ("1234", 1234), (1, None), (0, None), (None, None), (-5, None), (True, None), ("many", None)],
)
def test_how_many_mutations_a_window_holds_is_the_one_item_answers_count_where_it_can_only_be_the_whole(
    gateway, mocked, count, told
):
    header = {"id": 7, "type": 2, "date": "2025-03-04", "ledgerId": 1, "amount": 10}
    listing = mocked.get(f"{BASE}/v1/mutation", json={"items": [header], "count": count})

    assert gateway.mutation_count(dt.date(2023, 1, 1), dt.date(2025, 12, 31)) == told

    query = parse_qs(urlsplit(listing.calls[0].request.url).query)
    assert (query["date[range]"], query["limit"]) == (["2023-01-01,2025-12-31"], ["1"])


def test_mutation_headers_are_typed(gateway, mocked):
    mocked.get(
        f"{BASE}/v1/mutation",
        json=list_answer(
            [
                {"id": 0, "type": 0, "ledgerId": 11, "amount": 250.00},
                {
                    "id": 12,
                    "type": 2,
                    "date": "2025-03-04",
                    "invoiceNumber": "F00001",
                    "ledgerId": 40444521,
                    "amount": 121.00,
                    "entryNumber": "ENTR001",
                },
            ]
        ),
    )

    opening, invoice = gateway.mutation_headers(dt.date(2025, 1, 1), dt.date(2025, 12, 31))

    assert (opening.id, opening.type, opening.ledger_id) == (0, MutationType.OPENING_BALANCE, 11)
    assert (invoice.type, invoice.date, invoice.amount, invoice.entry_number) == (
        MutationType.INVOICE_SENT,
        dt.date(2025, 3, 4),
        Decimal("121.00"),
        "ENTR001",
    )


def test_a_mutation_is_fetched_by_id(gateway, mocked):
    mocked.get(f"{BASE}/v1/mutation/6427", json={"id": 6427, "type": 7, "date": "2025-01-26", "rows": []})

    assert gateway.mutation(6427).id == 6427


def test_a_mutation_deleted_meanwhile_is_not_found(gateway, mocked):
    mocked.get(
        f"{BASE}/v1/mutation/5",
        status=404,
        json={"type": "notfound", "title": "Mutation not found.", "status": 404, "code": "MUT_300"},
    )

    with pytest.raises(NotFound) as caught:
        gateway.mutation(5)

    assert caught.value.code == "MUT_300"


def test_outstanding_items_ask_for_their_side(gateway, mocked):
    listing = mocked.get(
        f"{BASE}/v1/mutation/invoice/outstanding",
        json=list_answer(
            [
                {
                    "date": "2025-02-01",
                    "mutationId": 7,
                    "invoiceNumber": "F7",
                    "relationId": 3,
                    "relationCode": "R3",
                    "company": "Klant BV",
                    "totalAmount": 121.0,
                    "paidAmount": 0.0,
                    "outstandingAmount": 121.0,
                }
            ]
        ),
    )

    (item,) = gateway.outstanding_items(Side.CREDITORS)

    assert "credDeb=C" in listing.calls[0].request.url
    assert (item.side, item.mutation_id, item.outstanding_amount) == (Side.CREDITORS, 7, Decimal("121.0"))


def test_balances_carry_the_ledger_id_from_the_chart_of_accounts(gateway, mocked):
    serve_pages(mocked, "/v1/ledger", [ledger(8000)])
    balances = mocked.get(
        f"{BASE}/v1/ledger/balances",
        json=list_answer([{"code": "8000", "type": "VW", "balance": -1234.56}, {"code": "9999", "balance": 1}]),
    )

    found = gateway.balances(dt.date(2025, 1, 1), dt.date(2025, 1, 31))

    assert "from=2025-01-01&to=2025-01-31" in balances.calls[0].request.url
    assert found == [
        LedgerBalance(ledger_code="8000", category="VW", balance=Decimal("-1234.56"), ledger_id=9000),
        LedgerBalance(ledger_code="9999", category=None, balance=Decimal(1), ledger_id=None),
    ]


def test_cost_centres_have_no_parent_at_the_top(gateway, mocked):
    mocked.get(
        f"{BASE}/v1/costcenter",
        json=list_answer(
            [
                {"id": 1, "description": "Buy", "parentId": 0, "active": True},
                {"id": 2, "description": "Sell", "parentId": 1, "active": False},
            ]
        ),
    )

    assert list(gateway.cost_centres()) == [
        CostCentre(id=1, description="Buy", parent_id=None, active=True),
        CostCentre(id=2, description="Sell", parent_id=1, active=False),
    ]


def test_administrations_of_an_ordinary_key_come_from_linked(gateway, mocked):
    mocked.get(
        f"{BASE}/v1/administration/linked",
        json=list_answer([{"guid": "a-1", "company": "Eigen BV"}]),
    )
    mocked.get(
        f"{BASE}/v1/administration",
        status=403,
        json={"type": "security", "title": "This endpoint is only available to accountants.", "code": "EP_001"},
    )

    assert gateway.administrations() == [Administration(guid="a-1", company="Eigen BV")]


def test_administrations_of_an_accountant_key_join_both_lists_without_doubles(gateway, mocked):
    mocked.get(f"{BASE}/v1/administration/linked", json=list_answer([{"guid": "a-1", "company": "Kantoor"}]))
    mocked.get(
        f"{BASE}/v1/administration",
        json=list_answer([{"guid": "a-1", "company": "Kantoor"}, {"guid": "b-2", "company": "Klant"}]),
    )

    assert [admin.guid for admin in gateway.administrations()] == ["a-1", "b-2"]


def test_no_access_to_the_administration_is_access_denied_with_its_message(gateway, mocked):
    mocked.get(
        f"{BASE}/v1/ledger",
        status=403,
        json={"type": "security", "title": "No access to the requested administration.", "code": "SECURITY_003"},
    )

    with pytest.raises(AccessDenied) as caught:
        list(gateway.ledgers())

    assert "no access to the chosen e-Boekhouden administration" in caught.value.user_message


def test_the_gateway_closes_its_session_on_leaving_the_with_block(gateway, mocked):
    mocked.get(f"{BASE}/v1/costcenter", json=list_answer([]))

    with gateway:
        list(gateway.cost_centres())

    assert [call.request.method for call in mocked.calls][-1] == "DELETE"


def test_a_record_holding_an_out_of_range_value_comes_as_unreadable_and_the_list_goes_on(gateway, mocked):
    items = [
        {"id": 1, "type": 7, "date": "2025-01-02", "ledgerId": 10, "amount": 5},
        {"id": 2, "type": 7, "date": "10000-01-01", "ledgerId": 10, "amount": 5},
        {"id": 3, "type": 7, "date": "2025-01-03", "ledgerId": 10, "amount": 5},
    ]
    serve_pages(mocked, "/v1/mutation", items)

    listed = list(gateway.mutation_headers(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))

    assert [getattr(h, "id", None) for h in listed] == [1, None, 3]
    assert listed[1] == Unreadable(
        kind="mutation", external_id="2", reason="Its date 10000-01-01 is out of the range Monitr can read."
    )


def test_a_mutation_detail_out_of_range_comes_as_unreadable_under_the_id_asked_for(gateway, mocked):
    mocked.get(f"{BASE}/v1/mutation/7", json={"id": 7, "type": 2, "date": "2025-01-01", "termOfPayment": "1e40"})

    assert gateway.mutation(7) == Unreadable(
        kind="mutation", external_id="7", reason="Its termOfPayment 1e40 is out of the range Monitr can read."
    )
