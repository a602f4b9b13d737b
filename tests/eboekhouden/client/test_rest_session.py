"""The REST session: created with the token and a source, sent in Authorization, renewed, closed."""

from __future__ import annotations

import json

import pytest
from responses import matchers

from eboekhouden.client import errors as messages
from eboekhouden.client.rest import RestClient
from integrations.errors import AuthenticationError, CredentialsExpired, GarbledResponse, TransientError

from .conftest import API_TOKEN, BASE, SESSION_TOKEN, body_of, list_answer, session_answer


def test_the_session_is_created_with_the_api_token_and_the_source(make_client, mocked):
    create = mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.get(f"{BASE}/v1/costcenter", json=list_answer([]))

    make_client(source="Monitr").get("/v1/costcenter")

    assert body_of(create.calls[0]) == {"accessToken": API_TOKEN, "source": "Monitr"}


def test_calls_carry_the_bare_session_token_in_authorization(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    listing = mocked.get(
        f"{BASE}/v1/costcenter",
        json=list_answer([]),
        match=[matchers.header_matcher({"Authorization": SESSION_TOKEN})],
    )

    make_client().get("/v1/costcenter")

    assert listing.call_count == 1


def test_one_session_serves_many_calls(make_client, mocked):
    create = mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.get(f"{BASE}/v1/costcenter", json=list_answer([]))
    client = make_client()

    for _ in range(3):
        client.get("/v1/costcenter")

    assert create.call_count == 1


def test_close_ends_the_session_with_its_token(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.get(f"{BASE}/v1/costcenter", json=list_answer([]))
    end = mocked.delete(
        f"{BASE}/v1/session", status=204, match=[matchers.header_matcher({"Authorization": SESSION_TOKEN})]
    )
    client = make_client()
    client.get("/v1/costcenter")

    client.close()

    assert end.call_count == 1


def test_close_without_a_session_sends_nothing(make_client, mocked):
    end = mocked.delete(f"{BASE}/v1/session", status=204)

    make_client().close()

    assert end.call_count == 0


def test_a_failing_close_does_not_raise(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.get(f"{BASE}/v1/costcenter", json=list_answer([]))
    mocked.delete(f"{BASE}/v1/session", status=401)
    client = make_client()
    client.get("/v1/costcenter")

    client.close()  # the session ends by itself; a sync must not fail on its goodbye


def test_the_session_is_renewed_shortly_before_it_expires(make_client, mocked, clock):
    create = mocked.post(f"{BASE}/v1/session", json=session_answer(expires_in=3600))
    mocked.get(f"{BASE}/v1/costcenter", json=list_answer([]))
    client = make_client(renew_margin=60)
    client.get("/v1/costcenter")

    clock.advance(3600 - 61)
    client.get("/v1/costcenter")
    renewed_before = create.call_count
    clock.advance(2)
    client.get("/v1/costcenter")

    assert (renewed_before, create.call_count) == (1, 2)


def test_the_session_is_renewed_once_on_a_401_and_the_call_repeated(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer("first-session-token"))
    mocked.post(f"{BASE}/v1/session", json=session_answer("second-session-token"))
    mocked.get(
        f"{BASE}/v1/costcenter",
        status=401,
        match=[matchers.header_matcher({"Authorization": "first-session-token"})],
    )
    mocked.get(
        f"{BASE}/v1/costcenter",
        json=list_answer([{"id": 1, "description": "Sales"}]),
        match=[matchers.header_matcher({"Authorization": "second-session-token"})],
    )

    document = make_client().get("/v1/costcenter")

    assert document["items"] == [{"id": 1, "description": "Sales"}]


def test_a_call_that_keeps_meeting_401s_despite_fresh_sessions_gives_up_as_transient(make_client, mocked):
    create = mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.get(f"{BASE}/v1/costcenter", status=401)

    with pytest.raises(TransientError) as caught:
        make_client().get("/v1/costcenter")

    assert create.call_count == 3
    assert not caught.value.reconnect_needed


def test_the_session_expiring_mid_paging_is_renewed_and_paging_continues(make_client, mocked, clock):
    mocked.post(f"{BASE}/v1/session", json=session_answer("first-session-token"))
    mocked.post(f"{BASE}/v1/session", json=session_answer("second-session-token"))
    pages = {
        0: [{"id": 1, "code": "R1"}, {"id": 2, "code": "R2"}],
        2: [{"id": 3, "code": "R3"}, {"id": 4, "code": "R4"}],
        4: [{"id": 5, "code": "R5"}],
    }
    seen_tokens = []

    def page(request):
        offset = int(request.params["offset"])
        seen_tokens.append(request.headers["Authorization"])
        if offset == 2 and request.headers["Authorization"] == "first-session-token":
            return (401, {}, "")
        return (200, {"Content-Type": "application/json"}, json.dumps(list_answer(pages[offset])))

    mocked.add_callback("GET", f"{BASE}/v1/relation", callback=page)
    client = make_client(page_size=2)

    codes = [item["code"] for item in client.paged("/v1/relation")]

    assert codes == ["R1", "R2", "R3", "R4", "R5"]
    assert seen_tokens == ["first-session-token", "first-session-token", "second-session-token", "second-session-token"]


def test_a_session_that_runs_out_between_pages_is_renewed_before_the_next_page(make_client, mocked, clock):
    create = mocked.post(f"{BASE}/v1/session", json=session_answer(expires_in=600))

    def page(request):
        offset = int(request.params["offset"])
        clock.advance(400)  # each page takes a long time
        items = [{"id": offset + 1, "code": f"R{offset + 1}"}] if offset < 3 else []
        return (200, {}, json.dumps(list_answer(items)))

    mocked.add_callback("GET", f"{BASE}/v1/relation", callback=page)

    items = list(make_client(page_size=1).paged("/v1/relation"))

    assert len(items) == 3
    assert create.call_count == 2


def test_an_expired_api_token_is_credentials_expired_with_its_message(make_client, mocked):
    mocked.post(
        f"{BASE}/v1/session",
        status=400,
        json={"type": "validation", "title": "Access token has expired.", "status": 400, "code": "API_SESSION_004"},
    )

    with pytest.raises(CredentialsExpired) as caught:
        make_client().get("/v1/ledger")

    assert caught.value.user_message == messages.KEY_EXPIRED
    assert caught.value.reconnect_needed


def test_a_revoked_api_token_is_refused_with_the_reconnect_message(make_client, mocked):
    mocked.post(
        f"{BASE}/v1/session",
        status=403,
        json={"securityType": "1", "type": "security", "title": "Invalid token", "status": 403},
    )

    with pytest.raises(AuthenticationError) as caught:
        make_client().get("/v1/ledger")

    assert str(caught.value) == (
        "e-Boekhouden did not accept this API key. If the e-Boekhouden password was changed, copy the new key "
        "from Beheer → Koppelingen → API."
    )


def test_an_empty_api_token_is_refused_without_a_call(make_client, mocked):
    create = mocked.post(f"{BASE}/v1/session", json=session_answer())

    with pytest.raises(AuthenticationError):
        make_client(token="").get("/v1/ledger")

    assert create.call_count == 0


def test_a_refused_key_is_not_retried(make_client, mocked, sleeps):
    create = mocked.post(f"{BASE}/v1/session", status=403, json={"type": "security", "title": "x", "status": 403})

    with pytest.raises(AuthenticationError):
        make_client().get("/v1/ledger")

    assert (create.call_count, sleeps) == (1, [])


def test_a_garbled_session_answer_is_a_garbled_response(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", body="<html>login</html>", status=200)

    with pytest.raises(GarbledResponse):
        make_client().get("/v1/ledger")


@pytest.mark.parametrize("source", ["Monitr-app", "", "ElevenChars", "Mon/itr"])
def test_a_source_the_api_would_refuse_is_refused_up_front(source):
    from eboekhouden.client import ApiTokenCredentials

    with pytest.raises(ValueError, match="source"):
        RestClient(ApiTokenCredentials("x"), base_url=BASE, source=source)


@pytest.mark.parametrize("source", ["Monitr", "Monitr 1_0", "a"])
def test_a_source_matching_the_pattern_is_accepted(source):
    from eboekhouden.client import ApiTokenCredentials

    assert RestClient(ApiTokenCredentials("x"), base_url=BASE, source=source).source == source
