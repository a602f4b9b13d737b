"""Small clients for the sandbox tests: REST over requests, JSON with Decimal, and SOAP over zeep."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import requests
import zeep
from zeep.transports import Transport

from eboekhouden.sandbox import Sandbox
from eboekhouden.sandbox.model import AdministrationInfo
from eboekhouden.sandbox.soap import WSDL_PATH

SOAP_NS = "{http://www.e-boekhouden.nl/soap}"


def decimal_json(response: requests.Response) -> Any:
    return response.json(parse_float=Decimal)


class Rest:
    """A REST session on one administration, opened with its API token."""

    def __init__(self, sandbox: Sandbox, admin: AdministrationInfo, *, bearer: bool = False) -> None:
        self.base = sandbox.rest_url
        self.http = requests.Session()
        created = self.http.post(f"{self.base}/v1/session", json={"accessToken": admin.api_token, "source": "Monitr"})
        assert created.status_code == 200, created.text
        token = created.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {token}" if bearer else token

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(f"{self.base}{path}", params=params or None, timeout=10)

    def json(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return decimal_json(response)

    def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, paging until a short page."""
        items: list[dict[str, Any]] = []
        while True:
            page = self.json(path, limit=2000, offset=len(items), **params)["items"]
            items.extend(page)
            if len(page) < 2000:
                return items


def soap_service(sandbox: Sandbox, binding: str = "soapAppSoap") -> Any:
    """zeep with the repository's soap.wsdl, bound to the sandbox's address."""
    client = zeep.Client(str(WSDL_PATH), transport=Transport(timeout=10))
    return client.create_service(f"{SOAP_NS}{binding}", sandbox.soap_url)


def soap_login(service: Any, admin: AdministrationInfo) -> str:
    result = service.OpenSession(
        Username=admin.username,
        SecurityCode1=admin.security_code_1,
        SecurityCode2=admin.security_code_2,
        Source="Monitr",
    )
    assert not result.ErrorMsg.LastErrorCode, result.ErrorMsg
    return result.SessionID
