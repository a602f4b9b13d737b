"""A provider that lives only in tests: its streams do what each test tells them, so the engine can be tested
without any real accounting software. It also shows the smallest complete implementation of the contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms

from integrations import registry
from integrations.providers import AdministrationChoice, Capability, Category, CredentialsCheck, Provider
from integrations.sync.base import Stream, StreamContext, StreamCounts


class FakeCredentialsForm(forms.Form):
    api_key = forms.CharField(label="API Key")


@dataclass
class FakeStream(Stream):
    name: str
    label: str = "Fake data"
    behaviour: Callable[[StreamContext], StreamCounts] | None = None
    calls: list[StreamContext] = field(default_factory=list)

    def run(self, ctx: StreamContext) -> StreamCounts:
        self.calls.append(ctx)
        if self.behaviour is not None:
            return self.behaviour(ctx)
        return StreamCounts(new=1)


class FakeSource:
    def __init__(self, streams: list[FakeStream], wait=None) -> None:
        self.streams = streams
        self.wait = wait  # the engine's sleep, which keeps the run's lock alive: a stream that pauses uses it
        self.closed = False

    def api_calls(self) -> dict[str, int]:
        return {"/fake/items": len(self.streams)}

    def close(self) -> None:
        self.closed = True


class FakeProvider(Provider):
    key = "fakebooks"
    name = "FakeBooks"
    category = Category.ACCOUNTING
    logo = "img/monitr.svg"
    description = "Bookkeeping that exists only in Monitr's tests."
    capabilities = frozenset({Capability.GENERAL_LEDGER})
    credentials_form = FakeCredentialsForm
    transports = {"key": "Fake key"}

    def __init__(self) -> None:
        self.streams: list[FakeStream] = [FakeStream("ledgers"), FakeStream("mutations")]
        self.sources: list[FakeSource] = []
        self.secrets_seen: list[dict[str, str]] = []

    def check_credentials(self, cleaned_data: dict[str, Any]) -> CredentialsCheck:
        key = cleaned_data["api_key"]
        return CredentialsCheck(
            secret={"api_key": key},
            hint=f"••••{key[-4:]}",
            transport="key",
            administrations=(AdministrationChoice("adm-1", "Fake Company BV"),),
        )

    def open_source(
        self,
        *,
        secret: dict[str, str],
        transport: str,
        external_id: str,
        wait=None,
        priority: int = 2,
        since: float | None = None,
    ) -> FakeSource:
        self.secrets_seen.append(secret)
        source = FakeSource(self.streams, wait)
        self.sources.append(source)
        return source


def install() -> FakeProvider:
    return registry.register(FakeProvider())


def uninstall() -> None:
    registry.unregister(FakeProvider.key)
