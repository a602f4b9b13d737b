"""The control API under /_sandbox/: change data, pay invoices, manage keys and faults, read the truth."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from .helpers import Rest, decimal_json, soap_login, soap_service


@pytest.fixture
def admin(eboekhouden_sandbox_administration):
    return eboekhouden_sandbox_administration


@pytest.fixture
def control(eboekhouden_sandbox, admin):
    base = f"{eboekhouden_sandbox.control_url}/administrations/{admin.guid}"

    def call(method: str, path: str = "", **body):
        return requests.request(method, f"{base}{path}", json=body or None, timeout=10)

    return call


def ledgers(rest: Rest) -> dict[str, int]:
    return {lg["code"]: lg["id"] for lg in rest.json("/v1/ledger")["items"]}


def test_the_truth_gives_every_mutation_with_lines_that_sum_to_zero(control) -> None:
    truth = decimal_json(control("GET", "/mutations"))
    assert [m["id"] for m in truth] == list(range(151))
    assert all(sum(line["amount"] for line in m["lines"]) == 0 for m in truth)


def test_the_truth_can_be_read_for_a_period(control) -> None:
    truth = control("GET", "/mutations?from=2025-06-01&to=2025-06-30").json()
    assert truth and all("2025-06-01" <= m["date"] <= "2025-06-30" for m in truth)


def test_an_added_mutation_is_served_by_rest(eboekhouden_sandbox, admin, control) -> None:
    rest = Rest(eboekhouden_sandbox, admin)
    codes = ledgers(rest)
    created = control(
        "POST",
        "/mutations",
        type=6,
        date="2025-12-01",
        ledgerId=codes["1100"],
        inExVat="IN",
        rows=[{"ledgerId": codes["4300"], "amount": "60.50", "vatCode": "HOOG_INK_21"}],
    )
    assert created.status_code == 201
    mutation = decimal_json(created)
    assert mutation["id"] == 151
    detail = rest.json("/v1/mutation/151")
    assert (detail["rows"][0]["amount"], detail["rows"][0]["vatAmount"]) == (Decimal("60.50"), Decimal("10.50"))


def test_an_edited_mutation_changes_what_rest_serves_and_the_balances(eboekhouden_sandbox, admin, control) -> None:
    rest = Rest(eboekhouden_sandbox, admin)
    before = rest.json("/v1/mutation/5")
    period = {"from": before["date"], "to": before["date"]}
    edited = control("PATCH", "/mutations/5", date="2025-12-30", description="Back-dated correction")
    assert edited.status_code == 200
    after = rest.json("/v1/mutation/5")
    assert (after["date"], after["description"]) == ("2025-12-30", "Back-dated correction")
    moved = rest.json("/v1/ledger/balances", **{"from": "2025-12-30", "to": "2025-12-30"})["items"]
    assert any(item["balance"] for item in moved)
    assert rest.json("/v1/ledger/balances", **period)["items"] != moved
    # The list by date finds it on its new day only (the book's index by date follows the edit).
    assert 5 in [i["id"] for i in rest.all("/v1/mutation", **{"date[range]": "2025-12-30,2025-12-30"})]
    assert 5 not in [i["id"] for i in rest.all("/v1/mutation", **{"date[range]": f"{before['date']},{before['date']}"})]


def test_a_deleted_mutation_is_gone_from_the_list_and_by_id(eboekhouden_sandbox, admin, control) -> None:
    rest = Rest(eboekhouden_sandbox, admin)
    assert control("DELETE", "/mutations/7").status_code == 204
    assert rest.get("/v1/mutation/7").status_code == 404
    assert 7 not in [item["id"] for item in rest.all("/v1/mutation")]
    assert 7 not in [item["id"] for item in rest.all("/v1/mutation", **{"date[range]": "2000-01-01,2099-12-31"})]


def test_paying_an_invoice_clears_its_outstanding_item(eboekhouden_sandbox, admin, control) -> None:
    rest = Rest(eboekhouden_sandbox, admin)
    item = next(
        i for i in rest.json("/v1/mutation/invoice/outstanding", credDeb="D")["items"] if i["outstandingAmount"] > 0
    )
    partly = control("POST", "/payments", invoiceNumber=item["invoiceNumber"], amount="1.00", date="2025-12-31")
    assert partly.status_code == 201 and decimal_json(partly)["type"] == 3
    after = {i["invoiceNumber"]: i for i in rest.json("/v1/mutation/invoice/outstanding", credDeb="D")["items"]}
    assert after[item["invoiceNumber"]]["paidAmount"] == item["paidAmount"] + 1
    control("POST", "/payments", invoiceNumber=item["invoiceNumber"])
    remaining = rest.json("/v1/mutation/invoice/outstanding", credDeb="D", invoiceNumber=item["invoiceNumber"])
    assert remaining["items"] == []


def test_a_bad_mutation_is_refused_with_a_reason(control) -> None:
    response = control("POST", "/mutations", type=9, date="2025-12-01", rows=[])
    assert response.status_code == 400 and "type" in response.json()["error"]


def test_a_rotated_token_stops_working_and_the_new_one_works(eboekhouden_sandbox, admin, control) -> None:
    rest = Rest(eboekhouden_sandbox, admin)
    rotated = control("POST", "/credentials/rotate").json()
    assert rotated["apiToken"] != admin.api_token
    assert rest.get("/v1/ledger").status_code == 401  # its sessions end with it
    post = lambda token: requests.post(  # noqa: E731
        f"{eboekhouden_sandbox.rest_url}/v1/session", json={"accessToken": token, "source": "Monitr"}, timeout=10
    )
    assert post(admin.api_token).status_code == 403
    assert post(rotated["apiToken"]).status_code == 200


def test_a_revoked_token_is_refused(eboekhouden_sandbox, admin, control) -> None:
    control("POST", "/credentials/revoke")
    response = requests.post(
        f"{eboekhouden_sandbox.rest_url}/v1/session",
        json={"accessToken": admin.api_token, "source": "Monitr"},
        timeout=10,
    )
    assert response.status_code == 403


def test_rotated_legacy_credentials_stop_working_for_soap(eboekhouden_sandbox, admin, control) -> None:
    service = soap_service(eboekhouden_sandbox)
    soap_login(service, admin)
    rotated = control("POST", "/credentials/rotate", kind="legacy").json()
    old = service.OpenSession(
        Username=admin.username,
        SecurityCode1=admin.security_code_1,
        SecurityCode2=admin.security_code_2,
        Source="Monitr",
    )
    assert old.ErrorMsg.LastErrorCode == "ERR_LOGIN"
    new = service.OpenSession(
        Username=admin.username,
        SecurityCode1=rotated["securityCode1"],
        SecurityCode2=rotated["securityCode2"],
        Source="Monitr",
    )
    assert new.SessionID


def test_faults_are_set_listed_and_cleared_over_http(eboekhouden_sandbox, admin) -> None:
    base = eboekhouden_sandbox.control_url
    created = requests.post(f"{base}/faults", json={"administration": admin.guid, "errorCount": 1}, timeout=10)
    assert created.status_code == 201
    assert requests.get(f"{base}/faults", timeout=10).json()[0]["errorCount"] == 1
    assert requests.delete(f"{base}/faults/{created.json()['id']}", timeout=10).status_code == 204
    assert requests.get(f"{base}/faults", timeout=10).json() == []


def test_an_unknown_fault_setting_is_refused(eboekhouden_sandbox) -> None:
    response = requests.post(f"{eboekhouden_sandbox.control_url}/faults", json={"explode": True}, timeout=10)
    assert response.status_code == 400 and "explode" in response.json()["error"]


def test_an_unknown_administration_is_a_404(eboekhouden_sandbox) -> None:
    response = requests.get(f"{eboekhouden_sandbox.control_url}/administrations/nope/mutations", timeout=10)
    assert response.status_code == 404


def test_the_index_lists_administrations_with_their_credentials(eboekhouden_sandbox) -> None:
    index = requests.get(f"{eboekhouden_sandbox.control_url}/", timeout=10).json()
    first = index["administrations"][0]
    assert set(first) >= {"guid", "company", "apiToken", "username", "securityCode1", "securityCode2"}


def test_the_command_line_prints_urls_and_credentials_as_json() -> None:
    root = Path(__file__).resolve().parents[3]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eboekhouden.sandbox",
            "--port",
            "0",
            "--json",
            "--mutations",
            "30",
            "--administrations",
            "2",
            "--end-date",
            "2025-12-31",
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        summary = json.loads(process.stdout.readline())
        assert len(summary["administrations"]) == 2
        token = summary["administrations"][0]["apiToken"]
        session = requests.post(
            f"{summary['restUrl']}/v1/session", json={"accessToken": token, "source": "cli"}, timeout=10
        )
        assert session.status_code == 200
        assert summary["soapUrl"].endswith("/soap.asmx")
    finally:
        process.terminate()
        process.wait(timeout=10)
