"""Every page and API endpoint, asked with each query parameter it reads set, one at a time, to a value that passes a
quick look but not a careful one: Unicode digits (``"²".isdigit()`` is true, ``int("²")`` fails), the first and last
day a date can be, a number past any column, a negative one, nothing, the parameter twice, and cursors that are valid
base64 around nonsense. Nothing may answer with a server error; the API answers in JSON, whatever it is asked.

Which parameters a page reads is not listed here: the crawl asks each URL once without parameters and records every
key its forms, serializers and paginators read from the query string (``QueryDict``), so a new filter is fuzzed
without anyone adding it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils.datastructures import MultiValueDict

from dashboards.api.serializers import TransactionQuery
from dashboards.forms import OutstandingItemsFilterForm
from dashboards.statement_forms import StatementFilterForm
from dashboards.transaction_forms import TransactionFilterForm

from .crawl import crawled, urls_for

pytestmark = pytest.mark.django_db


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


VALUES: dict[str, str | list[str]] = {
    "superscript two": "²",
    "Arabic-Indic three": "٣",
    "first day": "0001-01-01",
    "last day": "9999-12-31",
    "10**30": str(10**30),
    "negative": "-1",
    "empty": "",
    "repeated": ["1", "²"],
    "cursor around nonsense": _cursor("p=nonsense"),
}
# Sent by make test-full only: the API's own tests send every kind of crafted cursor to each paginated endpoint.
MORE_VALUES: dict[str, str | list[str]] = {
    "a day past the last": "10000-01-01",
    "cursor past any id": _cursor(f"o=1&r=1&p={10**30}"),
    "cursor at the first day": _cursor("p=0001-01-01 00:00:00+14:00"),
    "cursor with a NUL": _cursor("p=1\x00"),
    "cursor with a negative offset": _cursor("o=-5&p=1"),
}


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """The keys read from any ``QueryDict`` while inside: ``get``, ``[]``, ``getlist`` and ``in``."""
    keys: set[str] = set()
    originals = {name: getattr(MultiValueDict, name) for name in ("get", "__getitem__", "getlist")}
    originals["__contains__"] = dict.__contains__

    def recorder(name):
        def read(self, key, *args, **kwargs):
            keys.add(key)
            return originals[name](self, key, *args, **kwargs)

        return read

    with pytest.MonkeyPatch.context() as patch:
        for name in originals:
            patch.setattr(QueryDict, name, recorder(name))
        yield keys


def read_parameters(client: Client, url: str) -> set[str]:
    with recording_reads() as keys:
        client.get(url)
    return keys


def fuzz(client: Client, url: str, parameters: set[str], values: dict[str, str | list[str]]) -> list[str]:
    failures = []
    for parameter in sorted(parameters):
        for kind, value in values.items():
            response = client.get(url, {parameter: value})
            if response.status_code >= 500:
                failures.append(f"GET {url} {parameter}={value!r} ({kind}): {response.status_code}")
            elif url.startswith("/api/") and not response["Content-Type"].startswith("application/json"):
                failures.append(f"GET {url} {parameter}={value!r} ({kind}): not JSON but {response['Content-Type']}")
    return failures


def fuzz_everything(tenants, values: dict[str, str | list[str]]) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(tenants.a.member)  # a member of an organisation with books, as most users are
    failures, fuzzed = [], 0
    for route in crawled():
        for url in urls_for(route, tenants.a):
            parameters = read_parameters(client, url)
            fuzzed += len(parameters)
            failures += fuzz(client, url, parameters, values)

    assert fuzzed > 100  # the recording works: the dashboards alone read more than that
    assert not failures, "\n".join(failures)


def test_every_parameter_of_every_page_takes_odd_values_without_a_server_error(tenants, sandbox_settings):
    fuzz_everything(tenants, VALUES)


@pytest.mark.slow
def test_every_parameter_of_every_page_takes_more_odd_values_without_a_server_error(tenants, sandbox_settings):
    fuzz_everything(tenants, MORE_VALUES)


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/dashboards/outstanding/items/", set(OutstandingItemsFilterForm.base_fields)),
        ("/dashboards/outstanding/export/items.csv", set(OutstandingItemsFilterForm.base_fields) - {"page"}),
        ("/dashboards/pnl/", set(StatementFilterForm.base_fields) - {"m", "page"}),
        ("/dashboards/transactions/", set(TransactionFilterForm.base_fields)),
        ("/api/v1/transactions/", set(TransactionQuery().fields) | {"cursor", "page_size"}),
    ],
)
def test_the_recording_sees_every_field_of_the_pages_forms(tenants, url, fields):
    client = Client()
    client.force_login(tenants.a.member)

    assert fields <= read_parameters(client, url)
