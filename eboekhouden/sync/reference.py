"""The full-refresh streams: chart of accounts, relations and cost centres."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_noop

from integrations.sync.base import RecordKind, Stream, StreamContext, StreamCounts
from ledger.records import AccountRecord, CostCenterRecord, RelationRecord, SetAsideKind
from ledger.services import WriteCounts, accounts_upsert, cost_centers_upsert, relations_upsert
from monitr.web.stored_text import stored_pattern

from ..client.dto import Relation
from ..mapping import account_kind, account_role
from .set_aside import SetAside
from .state import SourceState


def _counts(result: WriteCounts) -> StreamCounts:
    return StreamCounts.of(result)


# How a record set aside is named in the sync history, in English as the run stores it; shown translated
# (monitr.web.stored_text).
LEDGER_NAMED = stored_pattern(gettext_noop("Ledger %(code)s %(name)s"))
LEDGER = stored_pattern(gettext_noop("Ledger %(code)s"))
RELATION_NAMED = stored_pattern(gettext_noop("Relation %(code)s %(name)s"))
RELATION = stored_pattern(gettext_noop("Relation %(code)s"))
COST_CENTRE = stored_pattern(gettext_noop("Cost centre %(name)s"))


class _FullRefresh(Stream):
    """A stream that reads every record of its kind each run; what it cannot store is set aside, and the set-aside
    list of its kind becomes this run's (what the source fixed or removed drops off)."""

    def __init__(
        self,
        name: str,
        label: str,
        records: RecordKind,
        kind: SetAsideKind,
        run: Callable[[StreamContext, SetAside], Any],
    ) -> None:
        self.name, self.label, self.records, self.kind, self._run = name, label, records, kind, run

    def run(self, ctx: StreamContext) -> StreamCounts:
        set_aside = SetAside(ctx.administration, self.kind)
        counts = _counts(self._run(ctx, set_aside))
        counts += set_aside.replace()
        return counts


def _tidy(text: str | None) -> str:
    """A field of an address as one line: the source's spaces and line breaks at the ends removed, a line break
    inside kept as a space."""
    return " ".join((text or "").split())


def statement_email(relation: Relation) -> str:
    """Where a statement of open items goes: the relation's address for reminders, else for invoices, else its
    general one (REST has all three, SOAP the last; docs/eboekhouden.md)."""
    for candidate in (relation.email_reminder, relation.email_invoice, relation.email):
        if tidy := _tidy(candidate):
            return tidy
    return ""


def _present(records: Iterable[Any | None]) -> Iterable[Any]:
    return (record for record in records if record is not None)


class ReferenceStreams:
    def __init__(self, gateway, state: SourceState) -> None:
        self.gateway, self.state = gateway, state
        self.ledgers = _FullRefresh(
            "ledgers", gettext_noop("Chart of accounts"), RecordKind.ACCOUNTS, SetAsideKind.ACCOUNT, self._ledgers
        )
        self.relations = _FullRefresh(
            "relations", gettext_noop("Relations"), RecordKind.RELATIONS, SetAsideKind.RELATION, self._relations
        )
        self.cost_centres = _FullRefresh(
            "cost_centres",
            gettext_noop("Cost centres"),
            RecordKind.COST_CENTRES,
            SetAsideKind.COST_CENTER,
            self._cost_centres,
        )

    def _ledgers(self, ctx: StreamContext, set_aside: SetAside):
        def records() -> Iterable[AccountRecord | None]:
            for ledger in self.gateway.ledgers():
                if set_aside.took(ledger):
                    continue
                external_id = str(ledger.id)
                category = (ledger.category or "").upper()
                record = set_aside.attempt(
                    lambda ledger=ledger, external_id=external_id, category=category: AccountRecord(
                        external_id=external_id,
                        code=ledger.code,
                        name=ledger.description or ledger.code,
                        kind=account_kind(category),
                        role=account_role(category),
                        category=category,
                        group=ledger.group or "",
                    ),
                    external_id,
                    label=(
                        LEDGER_NAMED % {"code": ledger.code, "name": ledger.description}
                        if ledger.description
                        else LEDGER % {"code": ledger.code}
                    ),
                )
                if record is not None:
                    # Only a stored account may be named by the VAT lines and the checks.
                    self.state.ledger_ids_by_code[ledger.code] = external_id
                    self.state.ledgers_by_category.setdefault(category, []).append(external_id)
                yield record

        return accounts_upsert(administration=ctx.administration, rows=_present(records()))

    def _relations(self, ctx: StreamContext, set_aside: SetAside):
        rows = (
            set_aside.attempt(
                lambda r=r: RelationRecord(
                    external_id=str(r.id),
                    code=r.code or "",
                    name=r.name or r.code or "",
                    relation_type=r.type or "",
                    payment_term_days=r.term_of_payment or None,
                    address=_tidy(r.address),
                    postal_code=_tidy(r.postal_code),
                    city=_tidy(r.city),
                    country=_tidy(r.country),
                    email=statement_email(r),
                ),
                str(r.id),
                label=(
                    RELATION_NAMED % {"code": r.code or r.id, "name": r.name}
                    if r.name
                    else RELATION % {"code": r.code or r.id}
                ),
            )
            for r in self.gateway.relations()
            if not set_aside.took(r)
        )
        return relations_upsert(administration=ctx.administration, rows=_present(rows))

    def _cost_centres(self, ctx: StreamContext, set_aside: SetAside):
        rows = (
            set_aside.attempt(
                lambda c=c: CostCenterRecord(
                    external_id=str(c.id),
                    name=c.description or str(c.id),
                    parent_external_id=str(c.parent_id) if c.parent_id else "",
                    active=c.active is not False,
                ),
                str(c.id),
                label=COST_CENTRE % {"name": c.description or c.id},
            )
            for c in self.gateway.cost_centres()
            if not set_aside.took(c)
        )
        return cost_centers_upsert(administration=ctx.administration, rows=_present(rows))
