"""Running the sandbox: the aiohttp application, and ``Sandbox`` to start it in a thread or in the foreground.

``Sandbox.start(config)`` generates the data, binds a loopback port (a free one unless told) and serves in a
background thread; its methods mirror the control API and run on the server's event loop, so tests can change
data and faults between requests without locks.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from aiohttp import web

from . import rest, soap
from .control import Controller, control_app
from .faults import Fault
from .fleet import DEFAULT_MAXIMUM, DEFAULT_MINIMUM
from .generator import DataSpec, MutationStream, generate_administrations
from .limits import LIMIT_FIELDS, Limits
from .model import AdministrationInfo
from .rest import STATE
from .state import DEFAULT_SESSION_SECONDS, SandboxState
from .store import Book

T = TypeVar("T")


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    seed: int = 1
    mutations: int = 1000  # per administration, besides the opening balance
    administrations: int = 1
    years: int = 3
    end_date: date | None = None  # None: today; pin it for data that does not change with the calendar
    latency_ms: int = 0  # a server-wide latency fault from the start
    session_seconds: int = DEFAULT_SESSION_SECONDS
    # The source's limits from the start (limits.Limits; None: no such limit).
    max_in_flight: int | None = None
    max_in_flight_per_key: int | None = None
    rate_per_second: float | None = None
    rate_per_second_per_key: float | None = None
    burst: float | None = None
    burst_per_key: float | None = None
    retry_after: int = 1
    soap_calls_per_month: int | None = None
    # A fleet (sandbox.fleet) besides the administrations above: count, total mutations (None: 1,000 each on
    # average), the seed of its sizes and books (None: ``seed``), the bounds of one administration's size.
    fleet: int = 0
    fleet_mutations: int | None = None
    fleet_seed: int | None = None
    fleet_min: int = DEFAULT_MINIMUM
    fleet_max: int = DEFAULT_MAXIMUM
    fleet_out: str | None = None  # the command writes its JSON summary (every administration) to this file

    def spec(self) -> DataSpec:
        return DataSpec(self.seed, self.administrations, self.mutations, self.years, self.end_date or date.today())

    def limits(self) -> Limits:
        return Limits.from_dict({name: getattr(self, name) for name in LIMIT_FIELDS})


def build_state(config: SandboxConfig) -> tuple[SandboxState, Controller]:
    spec = config.spec()
    end_date = config.end_date
    # The sandbox's "today": the pinned end date of its books, else the calendar's (SOAP's month runs by it).
    today: Callable[[], date] = (lambda: end_date) if end_date is not None else date.today
    state = SandboxState(session_seconds=config.session_seconds, today=today)
    for admin in generate_administrations(spec):
        state.add_book(Book(admin, MutationStream(admin, spec.mutations)))
    if config.latency_ms:
        state.faults.add(Fault(latency_ms=config.latency_ms))
    state.gate.set_limits(config.limits())
    controller = Controller(state, years=spec.years, end_date=spec.end_date, seed=spec.seed)
    if config.fleet:
        controller.add_fleet(
            count=config.fleet,
            total_mutations=config.fleet_mutations if config.fleet_mutations is not None else config.fleet * 1000,
            minimum=config.fleet_min,
            maximum=config.fleet_max,
            seed=config.fleet_seed,
        )
    return state, controller


def build_app(state: SandboxState, controller: Controller) -> web.Application:
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[STATE] = state
    rest.add_routes(app)
    soap.add_routes(app)
    app.add_subapp("/_sandbox/", control_app(controller))
    return app


class Sandbox:
    """A sandbox with its data; serving once started."""

    def __init__(self, config: SandboxConfig, state: SandboxState, controller: Controller) -> None:
        self.config = config
        self.state = state
        self.controller = controller
        self.host = config.host
        self.port = config.port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------------
    @classmethod
    def build(cls, config: SandboxConfig | None = None) -> Sandbox:
        config = config or SandboxConfig()
        state, controller = build_state(config)
        return cls(config, state, controller)

    @classmethod
    def start(cls, config: SandboxConfig | None = None) -> Sandbox:
        """Generate the data and serve in a daemon thread; returns once the port accepts connections."""
        sandbox = cls.build(config)
        sock = sandbox._bind()
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            sandbox._loop = loop
            try:
                loop.run_until_complete(sandbox._start_site(sock))
            except BaseException as error:  # surfaced to the starting thread
                failure.append(error)
                ready.set()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(sandbox._cleanup())
                loop.close()

        sandbox._thread = threading.Thread(target=serve, name="eboekhouden-sandbox", daemon=True)
        sandbox._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return sandbox

    def run_forever(self, on_ready: Callable[[Sandbox], None] | None = None) -> None:
        """Serve in the foreground until interrupted (the management command)."""
        sock = self._bind()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._start_site(sock))
            if on_ready:
                on_ready(self)
            loop.run_forever()
        except KeyboardInterrupt:
            pass
        finally:
            loop.run_until_complete(self._cleanup())
            loop.close()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(1024)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        return sock

    async def _start_site(self, sock: socket.socket) -> None:
        self._runner = web.AppRunner(build_app(self.state, self.controller), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _cleanup(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- addresses ------------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def rest_url(self) -> str:
        """The REST base URL; paths start with /v1/, as they do under https://api.e-boekhouden.nl."""
        return self.base_url

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}/soap.asmx"

    @property
    def wsdl_url(self) -> str:
        return f"{self.soap_url}?wsdl"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/_sandbox"

    # -- the control API, directly ---------------------------------------------------------------------------------
    def _call(self, fn: Callable[..., T], *args: Any, timeout: float | None = 60, **kwargs: Any) -> T:
        """Run on the server's loop (the state's only owner) and wait for the result."""
        loop = self._loop
        if loop is None or not loop.is_running() or self._thread is None:
            return fn(*args, **kwargs)

        async def run() -> T:
            return fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=timeout)

    @property
    def administrations(self) -> list[AdministrationInfo]:
        return self._call(self.controller.administrations)

    def administration(self, guid: str) -> AdministrationInfo:
        return self._call(self.controller.administration, guid)

    def add_administration(self, *, mutations: int = 200, seed: str | None = None) -> AdministrationInfo:
        return self._call(self.controller.add_administration, mutations=mutations, seed=seed)

    def remove_administration(self, guid: str) -> None:
        self._call(self.controller.remove_administration, guid)

    def add_fleet(
        self,
        *,
        count: int,
        total_mutations: int,
        minimum: int = DEFAULT_MINIMUM,
        maximum: int = DEFAULT_MAXIMUM,
        seed: int | None = None,
    ) -> list[AdministrationInfo]:
        """Add a fleet (sandbox.fleet): ``count`` administrations on logins of their own, long-tailed sizes adding
        up to ``total_mutations``. The server answers nothing else while it generates (about 15 s for 300,000)."""
        return self._call(
            self.controller.add_fleet,
            count=count,
            total_mutations=total_mutations,
            minimum=minimum,
            maximum=maximum,
            seed=seed,
            timeout=None,
        )

    def truth(self, guid: str, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
        """Every mutation with its rows and its signed journal lines (debit positive), in id order."""
        return self._call(self.controller.truth_mutations, guid, start, end)

    def truth_mutation(self, guid: str, mutation_id: int) -> dict[str, Any]:
        return self._call(self.controller.truth_mutation, guid, mutation_id)

    def outstanding(self, guid: str, cred_deb: str = "D") -> list[dict[str, Any]]:
        return self._call(self.controller.outstanding, guid, cred_deb)

    def relations(self, guid: str) -> list[dict[str, Any]]:
        """Every relation as the REST API shows it: the truth to compare an import's relations with."""
        return self._call(self.controller.relations, guid)

    def payment_habits(self, guid: str) -> list[dict[str, Any]]:
        """Every relation's payment habit: ``{relationId, code, name, credDeb, habit, daysAfterDue}``."""
        return self._call(self.controller.payment_habits, guid)

    def balances(
        self, guid: str, start: date | None = None, end: date | None = None, cost_centre_id: int | None = None
    ) -> list[dict[str, Any]]:
        return self._call(self.controller.balances, guid, start, end, cost_centre_id)

    def add_mutation(self, guid: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.controller.add_mutation, guid, data)

    def edit_mutation(self, guid: str, mutation_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.controller.edit_mutation, guid, mutation_id, changes)

    def edit_relation(self, guid: str, relation_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.controller.edit_relation, guid, relation_id, changes)

    def edit_ledger(self, guid: str, ledger_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.controller.edit_ledger, guid, ledger_id, changes)

    def delete_mutation(self, guid: str, mutation_id: int) -> None:
        self._call(self.controller.delete_mutation, guid, mutation_id)

    def pay_invoice(
        self,
        guid: str,
        invoice_number: str,
        *,
        cred_deb: str | None = None,
        amount: object = None,
        on: date | None = None,
    ) -> dict[str, Any]:
        return self._call(self.controller.pay_invoice, guid, invoice_number, cred_deb=cred_deb, amount=amount, on=on)

    def rotate_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        return self._call(self.controller.rotate_token, guid, kind)

    def expire_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        return self._call(self.controller.expire_token, guid, kind)

    def revoke_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        return self._call(self.controller.revoke_token, guid, kind)

    def restore_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        return self._call(self.controller.restore_token, guid, kind)

    def set_fault(self, **settings: Any) -> dict[str, Any]:
        """Add a fault (see ``faults.Fault`` for the settings); returns it with its id."""
        return self._call(self.controller.set_fault, settings)

    def clear_faults(self, fault_id: int | None = None, administration: str | None = None) -> int:
        return self._call(self.controller.clear_faults, fault_id, administration)

    def faults(self) -> list[dict[str, Any]]:
        return self._call(self.controller.faults)

    # -- the source's limits and the counters (sandbox.limits) -----------------------------------------------------
    def set_limits(self, **settings: Any) -> dict[str, Any]:
        """Change the given limits (``max_in_flight``, ``max_in_flight_per_key``, ``rate_per_second``,
        ``rate_per_second_per_key``, ``burst``, ``burst_per_key``, ``retry_after``, ``soap_calls_per_month``; None
        or 0 switches one off); the others stay. Returns all of them."""
        return self._call(self.controller.set_limits, settings)

    def clear_limits(self) -> dict[str, Any]:
        """Every limit off (``retry_after`` back to 1)."""
        return self._call(self.controller.clear_limits)

    def limits(self) -> dict[str, Any]:
        return self._call(self.controller.limits)

    def stats(self) -> dict[str, Any]:
        """The counters since the last reset (see docs/sandbox.md for the keys)."""
        return self._call(self.controller.stats)

    def reset_stats(self) -> dict[str, Any]:
        """Counters from zero (the SOAP calls used this month are the source's, not a counter: they stay)."""
        return self._call(self.controller.reset_stats)

    def set_soap_calls_used(self, username: str, used: int) -> dict[str, Any]:
        """Set a login's SOAP calls used this month; returns ``{username, month, used, limit}``."""
        return self._call(self.controller.set_soap_calls_used, username, used)

    def soap_calls_used(self) -> dict[str, int]:
        """SOAP calls used this month per login."""
        return self._call(self.controller.soap_calls_used)

    # -- for people and scripts ------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return {
            "restUrl": self.rest_url,
            "soapUrl": self.soap_url,
            "wsdlUrl": self.wsdl_url,
            "controlUrl": self.control_url,
            "seed": self.config.seed,
            "limits": self.limits(),
            "administrations": [info.as_dict() for info in self.administrations],
        }
