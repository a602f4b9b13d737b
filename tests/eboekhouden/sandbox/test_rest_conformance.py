"""REST answers validate against the contract's schemas, and every documented error path answers as documented."""

from __future__ import annotations

import time
from decimal import Decimal

import jsonschema
import pytest
import requests

from .helpers import Rest, decimal_json
from .schemas import validate, validate_error


@pytest.fixture
def admin(eboekhouden_sandbox):
    return eboekhouden_sandbox.administrations[0]


@pytest.fixture
def rest(eboekhouden_sandbox, admin):
    return Rest(eboekhouden_sandbox, admin)


LISTS = [
    ("/v1/administration/linked", {}),
    ("/v1/administration", {}),
    ("/v1/ledger", {}),
    ("/v1/ledger/balances", {"from": "2025-01-01", "to": "2025-01-31"}),
    ("/v1/mutation", {"limit": 2000}),
    ("/v1/mutation/invoice/outstanding", {"credDeb": "D"}),
    ("/v1/mutation/invoice/outstanding", {"credDeb": "C"}),
    ("/v1/relation", {"limit": 2000}),
    ("/v1/costcenter", {}),
]


@pytest.mark.parametrize(("path", "params"), LISTS, ids=[f"{p}{sorted(q.items())}" for p, q in LISTS])
def test_list_answers_fit_the_contract_and_are_not_empty(rest, path, params) -> None:
    body = rest.json(path, **params)
    validate(body, path)
    assert body["items"], path


def test_a_mutation_answer_fits_the_contract_for_every_type(rest) -> None:
    headers = rest.all("/v1/mutation")
    seen = set()
    for header in headers:
        if header["type"] in seen or header["id"] == 0:
            continue
        seen.add(header["type"])
        validate(rest.json(f"/v1/mutation/{header['id']}"), "/v1/mutation/{id}")
    assert seen == set(range(1, 8))


def test_ledger_relation_and_balance_answers_fit_the_contract(rest) -> None:
    ledger = rest.json("/v1/ledger")["items"][0]
    validate(rest.json(f"/v1/ledger/{ledger['id']}"), "/v1/ledger/{id}")
    validate(rest.json(f"/v1/ledger/{ledger['id']}/balance", to="2025-06-30"), "/v1/ledger/{id}/balance")
    relation = rest.json("/v1/relation")["items"][0]
    validate(rest.json(f"/v1/relation/{relation['id']}"), "/v1/relation/{id}")


def test_the_validator_refuses_an_answer_that_breaks_the_contract(rest) -> None:
    body = rest.json("/v1/ledger")
    body["items"][0]["id"] = "not a number"
    with pytest.raises(jsonschema.ValidationError):
        validate(body, "/v1/ledger")


def test_amounts_are_json_numbers_with_two_decimals(rest) -> None:
    text = rest.get("/v1/mutation", limit=50).text
    items = decimal_json(rest.get("/v1/mutation", limit=50))["items"]
    assert all(isinstance(item["amount"], Decimal) for item in items)
    assert all(item["amount"].as_tuple().exponent == -2 for item in items)
    assert '"amount":"' not in text


# -- sessions -------------------------------------------------------------------------------------------------------
def post_session(sandbox, body):
    return requests.post(f"{sandbox.rest_url}/v1/session", json=body, timeout=10)


def test_a_session_answers_a_token_and_its_lifetime(eboekhouden_sandbox, admin) -> None:
    response = post_session(eboekhouden_sandbox, {"accessToken": admin.api_token, "source": "Monitr"})
    assert response.status_code == 200
    validate(response.json(), "/v1/session", "post")
    assert response.json()["expiresIn"] == 3600


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"accessToken": "x"}, "API_SESSION_001"),
        ({"accessToken": "x", "source": "monitr-app"}, "API_SESSION_002"),
        ({"accessToken": "x", "source": "ElevenChars"}, "API_SESSION_002"),
        ({"source": "Monitr"}, "API_SESSION_003"),
        ({"accessToken": "  ", "source": "Monitr"}, "API_SESSION_003"),
    ],
)
def test_a_bad_session_request_answers_its_documented_code(eboekhouden_sandbox, body, code) -> None:
    response = post_session(eboekhouden_sandbox, body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    validate_error(response.json(), 400)


def test_an_expired_api_token_answers_api_session_004(eboekhouden_sandbox, eboekhouden_sandbox_administration) -> None:
    guid = eboekhouden_sandbox_administration.guid
    eboekhouden_sandbox.expire_token(guid)
    response = post_session(
        eboekhouden_sandbox, {"accessToken": eboekhouden_sandbox_administration.api_token, "source": "Monitr"}
    )
    assert (response.status_code, response.json()["code"]) == (400, "API_SESSION_004")


@pytest.mark.parametrize("token", ["clé-0123456789", "🔑" * 12, "ключ", "\ud800-lone-surrogate"])
def test_a_non_ascii_api_token_is_refused_like_any_unknown_one(eboekhouden_sandbox, token) -> None:
    response = post_session(eboekhouden_sandbox, {"accessToken": token, "source": "Monitr"})
    assert response.status_code == 403
    validate_error(response.json(), 403)


def test_an_unknown_api_token_answers_403_with_a_security_error(eboekhouden_sandbox) -> None:
    response = post_session(eboekhouden_sandbox, {"accessToken": "0" * 48, "source": "Monitr"})
    assert response.status_code == 403
    validate_error(response.json(), 403)


def test_the_session_request_is_read_case_insensitively(eboekhouden_sandbox, admin) -> None:
    response = post_session(eboekhouden_sandbox, {"AccessToken": admin.api_token, "Source": "Monitr"})
    assert response.status_code == 200


@pytest.mark.parametrize("authorization", ["{token}", "Bearer {token}", "bearer {token}"])
def test_the_session_token_works_raw_or_as_bearer(eboekhouden_sandbox, admin, authorization) -> None:
    token = post_session(eboekhouden_sandbox, {"accessToken": admin.api_token, "source": "Monitr"}).json()["token"]
    headers = {"Authorization": authorization.format(token=token)}
    response = requests.get(f"{eboekhouden_sandbox.rest_url}/v1/ledger", headers=headers, timeout=10)
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "unknown"}, {"Authorization": "Bearer "}])
def test_an_unknown_session_answers_401_without_a_body(eboekhouden_sandbox, headers) -> None:
    response = requests.get(f"{eboekhouden_sandbox.rest_url}/v1/mutation", headers=headers, timeout=10)
    assert (response.status_code, response.content) == (401, b"")


def test_an_ended_session_answers_401_without_a_body(eboekhouden_sandbox, rest) -> None:
    assert rest.http.delete(f"{rest.base}/v1/session").status_code == 204
    response = rest.get("/v1/ledger")
    assert (response.status_code, response.content) == (401, b"")


def test_a_session_past_its_expires_in_answers_401(eboekhouden_sandbox_factory) -> None:
    sandbox = eboekhouden_sandbox_factory(session_seconds=1, mutations=20, administrations=1)
    rest = Rest(sandbox, sandbox.administrations[0])
    assert rest.get("/v1/ledger").status_code == 200
    time.sleep(1.1)
    response = rest.get("/v1/ledger")
    assert (response.status_code, response.content) == (401, b"")


# -- paging, errors, 404s -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 0}, "PAGE_001"),
        ({"limit": 2001}, "PAGE_001"),
        ({"limit": "ten"}, "PAGE_001"),
        ({"offset": -1}, "PAGE_002"),
        ({"offset": "x"}, "PAGE_002"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/mutation", "/v1/relation", "/v1/ledger", "/v1/administration/linked"])
def test_paging_outside_its_bounds_answers_page_codes(rest, path, params, code) -> None:
    response = rest.get(path, **params)
    assert (response.status_code, response.json()["code"]) == (400, code)
    validate_error(response.json(), 400)


def test_limit_defaults_to_100_and_accepts_2000(rest) -> None:
    assert len(rest.json("/v1/mutation")["items"]) == 100
    assert len(rest.json("/v1/mutation", limit=2000)["items"]) > 400


@pytest.mark.parametrize(("params", "code"), [({}, "MUTA_006"), ({"credDeb": "X"}, "MUTA_007")])
def test_outstanding_items_need_a_valid_cred_deb(rest, params, code) -> None:
    response = rest.get("/v1/mutation/invoice/outstanding", **params)
    assert (response.status_code, response.json()["code"]) == (400, code)
    validate_error(response.json(), 400)


def test_the_accountants_endpoint_answers_ep_001_to_other_tokens(
    eboekhouden_sandbox, eboekhouden_sandbox_administration
) -> None:
    rest = Rest(eboekhouden_sandbox, eboekhouden_sandbox_administration)
    response = rest.get("/v1/administration")
    assert (response.status_code, response.json()["code"]) == (403, "EP_001")
    validate_error(response.json(), 403)
    assert rest.json("/v1/administration/linked")["items"] == [
        {"guid": eboekhouden_sandbox_administration.guid, "company": eboekhouden_sandbox_administration.company}
    ]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/v1/mutation/99999999", "MUT_300"),
        ("/v1/mutation/0", "MUT_300"),
        ("/v1/mutation/abc", "MUT_300"),
        ("/v1/ledger/1", "LEDG_011"),
        ("/v1/ledger/1/balance", "LEDG_011"),
        ("/v1/relation/1", "REL_055"),
    ],
)
def test_an_unknown_id_answers_404_with_its_code(rest, path, code) -> None:
    response = rest.get(path)
    assert (response.status_code, response.json()["code"]) == (404, code)
    validate_error(response.json(), 404)


def test_a_bad_date_answers_a_validation_error(rest) -> None:
    response = rest.get("/v1/ledger/balances", **{"from": "2025-13-01"})
    assert (response.status_code, response.json()["code"]) == (400, "ERR_002")
