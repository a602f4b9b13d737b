"""The sandbox's whole state: the books, credentials, sessions and faults, owned by the server's event loop.

Credentials and sessions live here because both APIs share them: a token that is rotated or revoked stops working
for REST, and legacy credentials likewise for SOAP, and the sessions it opened die with it.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .faults import Fault, FaultSet
from .limits import REST_KEY, SOAP_KEY, Gate
from .model import Administration, AdministrationInfo
from .store import Book

DEFAULT_SESSION_SECONDS = 3600


def _same(secret: str, given: str) -> bool:
    """A constant-time comparison of two texts. As UTF-8 bytes: ``compare_digest`` refuses ``str`` with non-ASCII
    characters (a TypeError, so a 500), and a key with an accent, an emoji or a lone surrogate (JSON can carry one)
    must be refused like any other wrong key."""
    return secrets.compare_digest(secret.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class Session:
    token: str
    guid: str
    api: str  # "rest" | "soap"
    created: float
    expires: float
    calls: int = 0
    in_flight: int = 0
    alive: bool = True
    login: str | None = None  # SOAP: the username that opened it (for OpenSessionSub not the session's own)
    key: str | None = None  # the credential the source's limits count it under (limits.Gate)


class SandboxState:
    def __init__(
        self,
        *,
        session_seconds: int = DEFAULT_SESSION_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ):
        self.books: dict[str, Book] = {}
        self.sessions: dict[str, Session] = {}
        self.faults = FaultSet()
        self.gate = Gate(clock=clock, today=today)
        self.session_seconds = session_seconds
        self.clock = clock
        self._logins: dict[str, str] = {}  # lowercased username -> the username as issued

    # -- administrations ------------------------------------------------------------------------------------------
    def add_book(self, book: Book) -> None:
        self.books[book.admin.guid] = book
        username = book.admin.credentials.username
        self._logins[username.lower()] = username

    def remove_book(self, guid: str) -> None:
        username = self.books.pop(guid).admin.credentials.username
        self._logins.pop(username.lower(), None)
        self.end_sessions(guid)
        self.faults.clear(administration=guid)

    def login(self, username: str | None) -> str | None:
        """The login a username names (matched case-insensitively, as ``find_login`` does), or None."""
        return self._logins.get(username.lower()) if username else None

    def book(self, guid: str) -> Book:
        return self.books[guid]

    def account_books(self, guid: str) -> list[Book]:
        """The administrations of the same login: the token's own first, then the linked ones."""
        own = self.books[guid]
        others = [b for b in self.books.values() if b.admin.account == own.admin.account and b is not own]
        return [own, *others]

    def info(self, book: Book) -> AdministrationInfo:
        admin: Administration = book.admin
        creds = admin.credentials
        return AdministrationInfo(
            admin.guid,
            admin.company,
            admin.account,
            admin.accountant,
            creds.api_token,
            creds.username,
            creds.security_code_1,
            creds.security_code_2,
            len(book.mutations) - (1 if 0 in book.mutations else 0),
        )

    # -- credentials ----------------------------------------------------------------------------------------------
    def find_token(self, token: str) -> tuple[Book | None, str]:
        """The administration an API token belongs to and the token's state ("active", "expired", "invalid")."""
        for book in self.books.values():
            creds = book.admin.credentials
            if _same(creds.api_token, token):
                return book, creds.api_status if creds.api_status != "revoked" else "invalid"
        return None, "invalid"

    def find_login(self, username: str, code_1: str, code_2: str) -> tuple[Book | None, str]:
        for book in self.books.values():
            creds = book.admin.credentials
            if creds.username.lower() == (username or "").lower():
                ok = _same(creds.security_code_1, code_1 or "") and _same(
                    creds.security_code_2.lower(), (code_2 or "").lower()
                )
                if not ok:
                    return None, "invalid"
                return book, creds.legacy_status if creds.legacy_status != "revoked" else "invalid"
        return None, "invalid"

    def rotate(self, guid: str, kind: str) -> None:
        """A password change: the old key stops working, a new one works. Its sessions end."""
        creds = self.books[guid].admin.credentials
        if kind == "legacy":
            creds.security_code_1 = secrets.token_hex(10).upper()
            creds.security_code_2 = str(uuid.uuid4()).upper()
            creds.legacy_status = "active"
        else:
            creds.retired_tokens.append(creds.api_token)
            creds.api_token = secrets.token_hex(24)
            creds.api_status = "active"
        self.end_sessions(guid, api="soap" if kind == "legacy" else "rest")

    def set_api_status(self, guid: str, kind: str, api_status: str) -> None:
        creds = self.books[guid].admin.credentials
        if kind == "legacy":
            creds.legacy_status = api_status
        else:
            creds.api_status = api_status
        if api_status != "active":
            self.end_sessions(guid, api="soap" if kind == "legacy" else "rest")

    # -- sessions -------------------------------------------------------------------------------------------------
    def open_session(self, guid: str, api: str, login: str | None = None) -> Session:
        """A new session on ``guid``; a SOAP session counts under the ``login`` that opened it, a REST session under
        the administration whose API token opened it (which is ``guid``)."""
        now = self.clock()
        token = str(uuid.uuid4()) if api == "soap" else secrets.token_urlsafe(32)
        session = Session(token, guid, api, now, now + self.session_seconds, login=login)
        session.key = f"{SOAP_KEY}{login}" if api == "soap" else f"{REST_KEY}{guid}"
        self.sessions[token] = session
        if len(self.sessions) > 10_000:
            self._sweep(now)
        return session

    def end_session(self, token: str) -> bool:
        session = self.sessions.pop(token, None)
        if session is None:
            return False
        session.alive = False
        return True

    def end_sessions(self, guid: str, api: str | None = None) -> None:
        for token, session in list(self.sessions.items()):
            if session.guid == guid and (api is None or session.api == api):
                session.alive = False
                del self.sessions[token]

    def session(self, token: str | None, api: str) -> Session | None:
        """The session for a token, if it exists and belongs to this API (alive or not: see ``alive``)."""
        if not token:
            return None
        session = self.sessions.get(token)
        if session is None or session.api != api:
            return None
        return session

    def check_alive(self, session: Session | None, faults: list[Fault]) -> bool:
        """Whether a session may serve this call: not ended, not expired, not killed by a fault."""
        if session is None or not session.alive or session.guid not in self.books:
            return False
        now = self.clock()
        dead = now >= session.expires
        for fault in faults:
            too_old = fault.session_ttl_seconds is not None and now - session.created >= fault.session_ttl_seconds
            too_busy = fault.session_max_calls is not None and session.calls >= fault.session_max_calls
            if too_old or too_busy:
                dead = True
                fault.fired["session_expired"] += 1
        if dead:
            self.end_session(session.token)
            return False
        return True

    def _sweep(self, now: float) -> None:
        for token, session in list(self.sessions.items()):
            if now >= session.expires:
                del self.sessions[token]
