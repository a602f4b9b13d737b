"""No key, security code or session token in any log record, exception text or repr of a whole run."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import traceback

import pytest

from eboekhouden.client import ApiTokenCredentials, SoapCredentials, Timeouts
from eboekhouden.client.rest import RestClient, RestGateway
from eboekhouden.client.soap import SoapClient
from eboekhouden.client.soap_gateway import SoapGateway
from integrations.errors import IntegrationError

from .conftest import everything_logged

WHOLE_BOOKS = (dt.date(2000, 1, 1), dt.date(2030, 12, 31))


def exception_texts(error: BaseException) -> list[str]:
    return [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        repr(pickle.loads(pickle.dumps(error))),  # noqa: S301 - our own error, as Celery would carry it
    ]


def test_a_whole_run_with_faults_and_refusals_leaks_no_secret(
    eboekhouden_sandbox, eboekhouden_sandbox_administration, fast_retry, monkeypatch, caplog
):
    sandbox = eboekhouden_sandbox
    caplog.set_level(logging.DEBUG)
    issued: list[str] = []
    open_session = sandbox.state.open_session

    def remember(guid, api, **kwargs):
        session = open_session(guid, api, **kwargs)
        issued.append(session.token)
        return session

    monkeypatch.setattr(sandbox.state, "open_session", remember)
    info = sandbox.administrations[0]
    doomed = eboekhouden_sandbox_administration
    texts: list[str] = []
    options = {"retry": fast_retry, "timeouts": Timeouts(connect=2, read=5)}

    # A REST run that meets every fault the sandbox has, a session dying mid-way, and a concurrent fetch.
    sandbox.set_fault(api="rest", administration=info.guid, session_max_calls=25)
    sandbox.set_fault(api="rest", path_prefix="/v1/mutation/", rate_limit_count=1, error_count=1, reset_count=1)
    credentials = ApiTokenCredentials(info.api_token)
    with RestGateway(RestClient(credentials, base_url=sandbox.rest_url, page_size=100, **options)) as rest:
        ids = [header.id for header in rest.mutation_headers(*WHOLE_BOOKS) if header.id][:60]
        list(rest.mutations(ids))
        list(rest.ledgers())
        texts += [repr(rest), str(rest.client), repr(credentials), str(credentials)]
    sandbox.clear_faults()
    sandbox.set_fault(api="rest", path_prefix="/v1/relation", non_json_count=10)
    with RestGateway(RestClient(credentials, base_url=sandbox.rest_url, **options)) as rest:
        with pytest.raises(IntegrationError) as garbled:
            list(rest.relations())
        texts += exception_texts(garbled.value)

    # Keys that stop working: expired, revoked mid-sync.
    sandbox.expire_token(doomed.guid)
    with pytest.raises(IntegrationError) as expired:
        list(RestGateway(RestClient(ApiTokenCredentials(doomed.api_token), base_url=sandbox.rest_url)).ledgers())
    texts += exception_texts(expired.value)
    restored = sandbox.restore_token(doomed.guid)
    revoked_midway = RestGateway(RestClient(ApiTokenCredentials(restored.api_token), base_url=sandbox.rest_url))
    list(revoked_midway.cost_centres())
    sandbox.revoke_token(doomed.guid)
    with pytest.raises(IntegrationError) as revoked:
        list(revoked_midway.ledgers())
    texts += exception_texts(revoked.value)

    # SOAP: a good run, a lost session, and refused security codes.
    legacy = SoapCredentials(info.username, info.security_code_1, info.security_code_2)
    sandbox.set_fault(api="soap", administration=info.guid, session_max_calls=2)
    with SoapGateway(SoapClient(legacy, base_url=sandbox.soap_url, **options)) as soap:
        list(soap.mutation_headers(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
        list(soap.outstanding_items("D"))
        texts += [repr(soap), repr(legacy), str(legacy)]
    wrong = SoapCredentials(info.username, "WRONG-SECURITY-CODE-1", info.security_code_2)
    with pytest.raises(IntegrationError) as refused:
        list(SoapGateway(SoapClient(wrong, base_url=sandbox.soap_url, **options)).ledgers())
    texts += exception_texts(refused.value)

    haystack = everything_logged(caplog) + "\n".join(texts)
    secrets = {
        "api token": info.api_token,
        "doomed api token": doomed.api_token,
        "security code 1": info.security_code_1,
        "security code 2": info.security_code_2,
        "wrong security code": "WRONG-SECURITY-CODE-1",
    }
    secrets.update({f"session token {n}": token for n, token in enumerate(issued)})
    assert len(issued) >= 5  # the run really opened (and renewed) sessions on both APIs
    assert "eboekhouden.request" in haystack  # and the log really was captured
    leaked = sorted(name for name, secret in secrets.items() if secret in haystack)
    assert leaked == []
