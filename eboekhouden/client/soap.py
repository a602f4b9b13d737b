"""The legacy e-Boekhouden SOAP API (``soap.asmx``) through zeep: sessions, calls and ``ErrorMsg`` codes.

zeep is loaded from the WSDL shipped in this package (``eboekhouden/contracts/soap.wsdl``), never from the
network; the end point comes from the caller (``settings.EBOEKHOUDEN_SOAP_URL``). Every request goes through
the shared :class:`~integrations.http.HttpTransport` (timeouts, retries, counting, logging), and zeep's
own transport logging, which would write whole envelopes with the security codes, is bypassed.

Error codes: ``ERR_LOGIN`` and ``ERR_SECURITYCODE2`` are a refused login, ``ERR_LOGIN_EXPIRED`` an expired one,
``ERR_ADMINISTRATIE`` no access, ``ERR_SESSION`` a lost session (opened anew once). The live codes are not public:
these are the sandbox's, and unknown codes are classified by the words in them.

The DTO mapping is in :mod:`eboekhouden.client.soap_gateway`.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import requests
import structlog
import zeep
import zeep.exceptions
from zeep.wsdl import Document
from zeep.wsdl.utils import etree_to_string

from integrations.errors import (
    AccessDenied,
    AuthenticationError,
    CallLimitReached,
    CredentialsExpired,
    IntegrationError,
    NotFound,
    ProviderApiError,
    TransientError,
    redact,
)
from integrations.http import USER_AGENT, CallCounter, HttpTransport, RetryPolicy, Timeouts, new_session
from integrations.http.budget import SCHEDULED

from .. import assumptions
from . import errors
from .dto import SoapCredentials
from .transport import eboekhouden_transport

logger = structlog.stdlib.get_logger("eboekhouden.client")

BINDING = "{http://www.e-boekhouden.nl/soap}soapAppSoap"


def wsdl_path() -> str:
    """The WSDL shipped inside the package."""
    return str(resources.files("eboekhouden") / "contracts" / "soap.wsdl")


class _OfflineTransport(zeep.Transport):
    """Loads the WSDL from disk and refuses the network: loading the client must never reach out."""

    def load(self, url: str) -> bytes:
        if "://" in url and not url.startswith("file://"):
            raise RuntimeError("the e-Boekhouden WSDL must load without network access")
        return super().load(url)


@functools.cache
def _wsdl_document() -> Document:
    # Parsing the WSDL takes a noticeable fraction of a second; the parsed document is read-only and shared.
    # zeep annotates transport as a class; it takes (and every caller passes) a Transport instance.
    return Document(wsdl_path(), _OfflineTransport(), settings=zeep.Settings(strict=False, xml_huge_tree=True))  # type: ignore[arg-type]


class _ZeepTransport(zeep.Transport):
    """Hands zeep's posts to :class:`HttpTransport`; never logs envelopes (they carry the security codes)."""

    def __init__(self, http: HttpTransport, session: requests.Session) -> None:
        # ``session`` is the one ``http`` sends on: zeep wants a requests session of its own to hold.
        super().__init__(session=session)
        session.headers["User-Agent"] = USER_AGENT  # zeep put its own name there
        self._http = http

    def load(self, url: str) -> bytes:  # pragma: no cover - the document is parsed before a client exists
        raise RuntimeError("the e-Boekhouden WSDL must load without network access")

    def post_xml(self, address: str, envelope: Any, headers: Mapping[str, str]) -> requests.Response:
        action = str(headers.get("SOAPAction", "")).strip('"')
        operation = action.rsplit("/", 1)[-1] or "soap"
        return self._http.send(
            "POST",
            address,
            endpoint=operation,
            headers=headers,
            body=etree_to_string(envelope),
            # A SOAP fault comes with status 500: that is an answer to read, not a server in trouble.
            is_answer=lambda response: b"Fault>" in response.content[:4096],
            # A body cut short, or a proxy's HTML page, is asked for again; zeep parses what arrives whole.
            readable=lambda response: response.content.rstrip().endswith(b"Envelope>"),
        )


# ErrorMsg codes. e-Boekhouden does not publish them; these are the ones the sandbox answers (docs/sandbox.md),
# which follow what public clients report. Unknown codes are read by their words, and otherwise become
# ProviderApiError with the code and the (redacted) description.
_CODES: dict[str, type[IntegrationError] | None] = {
    "ERR_LOGIN": AuthenticationError,
    "ERR_LOGIN_EXPIRED": CredentialsExpired,
    "ERR_SECURITYCODE2": AuthenticationError,
    "ERR_SESSION": None,  # the session ended: open a new one and try once more
    "ERR_ADMINISTRATIE": AccessDenied,
    "ERR_FILTER": ProviderApiError,
}


def _classify(code: str) -> type[IntegrationError] | None:
    upper = code.upper()
    if upper in _CODES:
        return _CODES[upper]
    if "MAXCALLS" in upper:  # the month's calls of the login are used (see assumptions.py)
        return CallLimitReached
    if "SESSION" in upper:
        return None
    if "EXPIRED" in upper or "VERLOPEN" in upper:
        return CredentialsExpired
    if any(word in upper for word in ("LOGIN", "SECURITY", "AUTH", "USER", "PASSWORD")):
        return AuthenticationError
    if any(word in upper for word in ("ADMIN", "GUID", "ACCESS", "PERMISSION", "RIGHTS")):
        return AccessDenied
    if "NOT_FOUND" in upper or "NOTFOUND" in upper:
        return NotFound
    return ProviderApiError


class _SessionLost(Exception):
    """The SOAP session is no longer valid; open a new one and try once more."""


@dataclass(frozen=True, slots=True)
class CallAllowance:
    """The SOAP calls a login may make this month: ``limit`` in all, ``used`` before this client's first call,
    ``keep`` of them left for a person's Sync now (a scheduled sync stops short of them). ``resets_at`` is when the
    next month begins."""

    limit: int
    used: int
    resets_at: dt.datetime
    keep: int = 0

    def check(self, made: int, operation: str) -> None:
        """Raise :class:`CallLimitReached` before a call that would go past what this run may use."""
        if self.used + made >= self.limit - self.keep:
            raise CallLimitReached(
                errors.SOAP_CALLS_USED % {"limit": f"{self.limit:,}", "used": f"{self.used + made:,}"},
                retry_at=self.resets_at,
                code="MONTHLY_CALLS",
                endpoint=operation,
            )

    def spent(self, made: int) -> bool:
        return self.used + made >= self.limit


class SoapClient:
    """One SOAP conversation with an administration, opened with username and security codes."""

    def __init__(
        self,
        credentials: SoapCredentials,
        *,
        base_url: str,
        source: str = "Monitr",
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_parallel: int = 4,
        counter: CallCounter | None = None,
        session: requests.Session | None = None,
        priority: int = SCHEDULED,
        since: float | None = None,
        allowance: CallAllowance | None = None,
    ) -> None:
        self.base_url = base_url
        self.allowance = allowance
        self.max_parallel = max_parallel
        self.counter = counter or CallCounter()
        self._credentials = credentials
        self._source = source
        self._owns_session = session is None
        session = session or new_session(max_parallel)
        self.transport = eboekhouden_transport(
            protocol="soap",
            session=session,
            timeouts=timeouts,
            retry=retry or RetryPolicy(),
            max_parallel=max_parallel,
            counter=self.counter,
            credential=credentials.username,
            priority=priority,
            since=since,
        )
        self._guard_lock = threading.Lock()
        self._attempts_taken = 0
        if allowance is not None:
            self.transport.guard = self._guard
        client = zeep.Client(wsdl=_wsdl_document(), transport=_ZeepTransport(self.transport, session))
        self._service = client.create_service(BINDING, base_url)
        self._lock = threading.Lock()
        self._session_id: str | None = None

    def __repr__(self) -> str:
        return f"SoapClient(base_url={self.base_url!r}, credentials=[redacted])"

    def _secrets(self) -> tuple[str | None, ...]:
        return (*self._credentials.secrets, self._session_id)

    # --- session ---------------------------------------------------------------------------------------

    def session_id(self) -> str:
        with self._lock:
            if self._session_id is None:
                self._session_id = self._open_session()
            return self._session_id

    def _open_session(self) -> str:
        c = self._credentials
        login = {
            "Username": c.username,
            "SecurityCode1": c.security_code_1,
            "SecurityCode2": c.security_code_2,
            "Source": self._source,
        }
        operation = "OpenSessionSub" if c.administration_guid else "OpenSession"
        if c.administration_guid:
            result = self._invoke(operation, AdministratieGUID=c.administration_guid, **login)
        else:
            result = self._invoke(operation, **login)
        self._check(result, operation, opening=True)
        session_id = field_of(result, "SessionID")
        if not session_id:
            raise errors.garbled(operation, "SessionID must not be empty", status=200)
        logger.info("eboekhouden.session.opened", protocol="soap")
        return session_id

    def close(self) -> None:
        with self._lock:
            session_id, self._session_id = self._session_id, None
        spent = self.allowance is not None and self.allowance.spent(self.counter.total)
        if session_id is not None and not spent:  # with the month's calls used up, the session just expires
            try:
                self._invoke("CloseSession", SessionID=session_id)
            except IntegrationError as error:
                logger.warning("eboekhouden.session.close_failed", protocol="soap", error=type(error).__name__)
        if self._owns_session:
            self.transport.close()

    # --- calls -----------------------------------------------------------------------------------------

    def call(self, operation: str, result_field: str, **arguments: Any) -> list[Any]:
        """Call a data operation and return the items of ``result_field`` (``[]`` when there are none)."""
        for renewal in range(2):
            session_id = self.session_id()
            result = self._invoke(
                operation, SessionID=session_id, SecurityCode2=self._credentials.security_code_2, **arguments
            )
            try:
                self._check(result, operation)
            except _SessionLost:
                if renewal:
                    # The login just worked, so the codes are fine; the service keeps dropping sessions.
                    raise TransientError(errors.TRANSIENT, title="sessions keep ending", endpoint=operation) from None
                with self._lock:
                    if self._session_id == session_id:
                        self._session_id = None
                logger.info("eboekhouden.session.renewing", protocol="soap", path=operation)
                continue
            return items_of(field_of(result, result_field))
        raise AssertionError("unreachable")  # pragma: no cover

    def _guard(self, operation: str) -> None:
        """Before every attempt of a call, retries included: none past the login's calls this month. Each attempt
        takes its place under a lock before it is sent: the fetch threads send side by side, and a count of what
        was sent would let each of them past the last place at once."""
        if self.allowance is not None and operation != "CloseSession":
            with self._guard_lock:
                self.allowance.check(self._attempts_taken, operation)
                self._attempts_taken += 1

    def _invoke(self, operation: str, **arguments: Any) -> Any:
        try:
            return getattr(self._service, operation)(**arguments)
        except zeep.exceptions.Fault as fault:
            message = redact(str(fault.message or ""), self._secrets())
            code = str(fault.code) if fault.code else None
            raise ProviderApiError(
                errors.api_error_message(code, message), code=code, title=message, endpoint=operation
            ) from None
        except (zeep.exceptions.TransportError, zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError):
            raise errors.garbled(operation, "the answer is not a readable SOAP envelope") from None
        except zeep.exceptions.ValidationError:
            raise errors.garbled(operation, "the answer does not match the WSDL") from None

    def _check(self, result: Any, operation: str, *, opening: bool = False) -> None:
        if result is None:
            raise errors.garbled(operation, "the answer has no result", status=200)
        error = field_of(result, "ErrorMsg")
        code = redact(field_of(error, "LastErrorCode"), self._secrets()) if error is not None else None
        if not code:
            return
        description = redact(field_of(error, "LastErrorDescription"), self._secrets())
        cls = _classify(code)
        if opening:
            # Opening a session fails for one reason that matters: the login. Only a refused administration
            # (OpenSessionSub) or an expired login says something more precise.
            if not (cls is CredentialsExpired or (cls is AccessDenied and self._credentials.administration_guid)):
                cls = AuthenticationError
        elif cls is None:
            raise _SessionLost
        common: dict[str, Any] = {"code": code, "title": description, "endpoint": operation}
        if cls is CallLimitReached:
            # The service counts this login's calls from every program that uses it, not only Monitr's.
            allowance = self.allowance
            limit = allowance.limit if allowance is not None else assumptions.SOAP_CALLS_PER_MONTH
            raise CallLimitReached(
                errors.SOAP_CALLS_USED % {"limit": f"{limit:,}", "used": f"{limit:,}"},
                retry_at=allowance.resets_at if allowance is not None else None,
                **common,
            )
        if cls is AuthenticationError:
            raise AuthenticationError(errors.SOAP_LOGIN_REFUSED, **common)
        if cls is CredentialsExpired:
            raise CredentialsExpired(errors.SOAP_LOGIN_EXPIRED, **common)
        if cls is AccessDenied:
            raise AccessDenied(errors.NO_ADMINISTRATION_ACCESS, **common)
        if cls is NotFound:
            raise NotFound(errors.NOT_FOUND, **common)
        raise ProviderApiError(errors.api_error_message(code, description), **common)


def field_of(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def items_of(array: Any) -> list[Any]:
    """The repeated element of an ``ArrayOfX`` wrapper (zeep gives the wrapper an attribute named after X)."""
    if array is None:
        return []
    if isinstance(array, list):
        return array
    values = [value for value in (array.__values__.values() if hasattr(array, "__values__") else [])]
    for value in values:
        if isinstance(value, list):
            return [item for item in value if item is not None]
    return []


__all__ = ["SoapClient", "field_of", "items_of", "wsdl_path"]
