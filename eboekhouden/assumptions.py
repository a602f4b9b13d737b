"""Where e-Boekhouden's contracts are silent about the service itself, the choices Monitr makes: in one place, so
one edit changes them.

``docs/eboekhouden.md`` lists every choice where the contracts are silent, with its reasons and its place (the
choices about booking live in ``mapping.py``, beside the table they complete).
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_noop

from integrations.providers import AdministrationChoice

# The source's balances of a period (REST ``GET /v1/ledger/balances?from&to``, SOAP ``GetSaldi``) are taken as the sum
# of the lines of the mutations dated in it, per ledger, debit positive, the opening balance (mutation 0, dated its
# day) included; neither contract says so. A first import relies on it: the balances of each month stand in for the
# month's lines until the mutations are in (``sync/month_balances.py``), the current month's asked to the open end
# (``sync.windows.OPEN_END``: mutations dated ahead included) and stored as the current month's. Every sync's check
# compares the two and records any month where they differ (``sync/streams.py``, ``BalancesCheckStream``), so a
# source that reads otherwise shows on the Data checks page instead of in silently wrong statements.


# Whether a REST list answer's ``count`` is the whole list's (over its filter) or the page's is not stated. Monitr
# takes it as the whole list's where it says more than the page could: above the items the call asked for. It uses
# it for one thing, how many months a first import reads per window (``sync/windows.py``, ``spanned_windows``): a
# count that was the page's would be at most the one item asked for and leaves the windows at a month each.
def list_total(count: int | None, *, asked: int) -> int | None:
    """The whole list's size by an answer's ``count``; None where it may be the page's own (at most ``asked``)."""
    return count if count is not None and count > asked else None


# Which payment settles which invoice is not documented. Monitr takes a row on the debtors or creditors ledger that
# names an invoice number as settling the invoice of the same side, relation (the row's, else the mutation's) and
# number, exactly as written (e-Boekhouden's payment rows carry the invoice number they pay; the header lists them
# all, comma-separated). The mapping stores the row's number and relation on its line (``mapping.mutation_lines``),
# and the ledger's open-item rules match on them (``ledger/services/open_items.py``). Every sync compares what that
# leaves open with e-Boekhouden's own open items, item by item, so a service that matches otherwise shows on the
# Data checks page.

# The legacy SOAP API allows about 5,000 calls a month per login (client libraries quoting e-Boekhouden's manual; the
# WSDL says nothing): ``settings.EBOEKHOUDEN_SOAP_CALLS_PER_MONTH``. Monitr counts every SOAP call it makes per login
# and calendar month (Europe/Amsterdam), every connection of that login together (integrations.models.MonthlyCalls),
# and stops a sync before a call that would go past it, with a status that says so; the service's own refusal, should
# the login also be used elsewhere, stops it the same way. A sync the schedule started stops this share of the month's
# calls earlier, so that a person's Sync now still works at the end of a busy month. The service's refusal is taken
# to be an ErrorMsg whose LastErrorCode names MAXCALLS (the sandbox answers ERR_MAXCALLS; docs/sandbox.md).
SOAP_CALLS_PER_MONTH = 5000  # the default of settings.EBOEKHOUDEN_SOAP_CALLS_PER_MONTH
SOAP_CALLS_KEPT_FOR_PEOPLE = 0.05

# A REST API key belongs to one administration and a session cannot switch to another (reported from the live service:
# docs/eboekhouden.md, "What the contracts say, and what only the field knows").
# Which entry of ``administration/linked`` is the key's own is not documented; Monitr takes the first one listed as
# the key's own, as the sandbox serves it. Every other entry can be listed but not imported with this key. The note
# waits in the session in English, and the wizard shows it translated.
OTHER_ADMINISTRATION_NOTE = gettext_noop(
    "This API key belongs to another administration. To import this one, log in to it in e-Boekhouden and create "
    "a key under Beheer → Koppelingen → API, or use the legacy credentials (username and security codes)."
)


def rest_key_choices(listed: list[AdministrationChoice]) -> list[AdministrationChoice]:
    """The administrations a REST key lists, with all but its own marked as not importable with this key."""
    return [
        choice if index == 0 else replace(choice, importable=False, note=OTHER_ADMINISTRATION_NOTE)
        for index, choice in enumerate(listed)
    ]
