"""Reads of the notes and follow-ups on relations (``dashboards.notes``): a relation's notes for its drill-down, the
next follow-up of each relation for the relation table and its export, the follow-ups due for the Outstanding Items
page and the e-mail digest, and the notes the API lists.

Every read starts from ``for_organization``; each is one query, whatever the number of notes.

Authors are shown by their name now while they are members of the organisation, and by their name as it was when
they wrote the note once they have left it (``author_is_member`` says which).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, Min, OuterRef, QuerySet, Window
from django.urls import reverse

from ledger.models import Administration, OutstandingItem, OutstandingSide, Relation
from monitr.tenancy.models import Membership, Organization

from ..notes import RelationNote, follow_up_day, item_key


def _with_author(rows: QuerySet, organization: Organization) -> QuerySet:
    members = Membership.objects.for_organization(organization).filter(user=OuterRef("author"))
    return rows.annotate(author_is_member=Exists(members))


def author_shown(*, name_then: str, author: Any, is_member: bool) -> str:
    """The name a note's author is shown by: their name now while a member, else the one they wrote it under."""
    if is_member and author is not None:
        return str(author.display_name)
    return name_then


def notes_list(
    *,
    organization: Organization,
    relation: Relation | None = None,
    side: OutstandingSide | str | None = None,
    administration: Administration | None = None,
) -> QuerySet[RelationNote]:
    """The organisation's notes, optionally of one relation, side or administration, with the relation and the
    author joined in and ``author_is_member`` annotated; unordered."""
    rows = RelationNote.objects.for_organization(organization)
    if relation is not None:
        rows = rows.filter(relation=relation)
    if side:
        rows = rows.filter(side=side)
    if administration is not None:
        rows = rows.filter(relation__administration=administration)
    return _with_author(rows, organization).select_related("relation", "author")


def relation_notes(
    *, organization: Organization, relation: Relation, side: OutstandingSide | str
) -> list[RelationNote]:
    """A relation's notes on one side, newest first, each with ``author_shown`` set."""
    notes = list(notes_list(organization=organization, relation=relation, side=side).order_by("-created_at", "-pk"))
    for note in notes:
        note.author_shown = author_shown(  # type: ignore[attr-defined]
            name_then=note.author_name,
            author=note.author,
            is_member=note.author_is_member,  # type: ignore[attr-defined]
        )
    return notes


@dataclass(frozen=True, slots=True)
class NoteItem:
    """One of a relation's open items today, as the note form offers it."""

    external_id: str
    invoice_number: str
    invoice_date: date
    due_date: date | None
    outstanding: Any  # Decimal

    @property
    def key(self) -> str:
        return item_key(self.invoice_number, self.external_id)


def note_items(*, organization: Organization, relation: Relation, side: OutstandingSide | str) -> list[NoteItem]:
    """The relation's open items on ``side`` today (the source's list), by due date: what a note can be put on."""
    rows = (
        OutstandingItem.objects.for_organization(organization)
        .filter(administration_id=relation.administration_id, relation=relation, side=side)
        .order_by("due_date", "invoice_date", "invoice_number", "pk")
        .values_list("external_id", "invoice_number", "invoice_date", "due_date", "outstanding")
    )
    return [NoteItem(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class NextFollowUp:
    """A relation's earliest open follow-up: its day, and whether that day is a promise to pay."""

    day: date
    promised: bool


def next_follow_ups(
    *, organization: Organization, side: OutstandingSide | str, relation_ids: Iterable[int | None]
) -> dict[int, NextFollowUp]:
    """{relation id: its next follow-up on ``side``} of the relations asked about that have an open one (not done,
    with a follow-up or a promised date): one query."""
    ids = [r for r in relation_ids if r is not None]
    if not ids:
        return {}
    rows = (
        RelationNote.objects.for_organization(organization)
        .filter(relation_id__in=ids, side=side, done_at__isnull=True)
        .values("relation_id")
        .annotate(follow_up=Min("follow_up_on"), promised=Min("promised_on"))
        .order_by()
    )
    found = {}
    for row in rows:
        follow_up, promised = row["follow_up"], row["promised"]
        if follow_up is None and promised is None:
            continue
        is_promise = follow_up is None or (promised is not None and promised < follow_up)
        found[row["relation_id"]] = NextFollowUp(day=promised if is_promise else follow_up, promised=is_promise)
    return found


@dataclass(frozen=True, slots=True)
class FollowUpDue:
    """A follow-up due on a day: the note's, with its relation and author."""

    note_id: int
    relation_id: int
    relation_name: str
    relation_code: str
    administration_id: int
    side: str  # OutstandingSide
    invoice_number: str  # the open item's the note is on; empty for a note on the relation
    text: str
    due_on: date  # the earlier of follow_up_on and promised_on
    follow_up_on: date | None
    promised_on: date | None
    author: str  # as shown: the member's name now, else the name they wrote the note under
    author_is_member: bool
    created_at: datetime

    @property
    def is_promise(self) -> bool:
        """Whether the day due is the day the relation promised to pay on."""
        return self.promised_on is not None and self.promised_on == self.due_on

    @property
    def path(self) -> str:
        """The relation's drill-down on the note's side, where the note is: a path, for a page or an e-mail."""
        return relation_notes_path(
            administration_id=self.administration_id, relation_id=self.relation_id, side=self.side
        )


def relation_notes_path(*, administration_id: int, relation_id: int, side: str) -> str:
    query = urlencode({"administration": administration_id, "relation": relation_id, "side": side})
    return f"{reverse('dashboards:outstanding_items')}?{query}#notes"


def _due(
    organization: Organization, day: date, side: OutstandingSide | str | None, administration: Administration | None
) -> QuerySet:
    rows: QuerySet = RelationNote.objects.for_organization(organization).filter(done_at__isnull=True)
    if side:
        rows = rows.filter(side=side)
    if administration is not None:
        rows = rows.filter(relation__administration=administration)
    rows = rows.annotate(due_on=follow_up_day()).filter(due_on__lte=day)
    return _with_author(rows, organization).order_by("due_on", "relation__name", "pk")


_DUE_FIELDS = (
    "pk",
    "relation_id",
    "relation__name",
    "relation__code",
    "relation__administration_id",
    "side",
    "invoice_number",
    "text",
    "due_on",
    "follow_up_on",
    "promised_on",
    "author_name",
    "author__first_name",
    "author__last_name",
    "author__email",
    "author_is_member",
    "created_at",
)


def _follow_up_due(row: dict[str, Any]) -> FollowUpDue:
    name_now = f"{row['author__first_name'] or ''} {row['author__last_name'] or ''}".strip()
    if not name_now and row["author__email"]:
        name_now = row["author__email"].split("@", 1)[0]  # as User.display_name
    is_member = bool(row["author_is_member"])
    return FollowUpDue(
        note_id=row["pk"],
        relation_id=row["relation_id"],
        relation_name=row["relation__name"],
        relation_code=row["relation__code"],
        administration_id=row["relation__administration_id"],
        side=row["side"],
        invoice_number=row["invoice_number"],
        text=row["text"],
        due_on=row["due_on"],
        follow_up_on=row["follow_up_on"],
        promised_on=row["promised_on"],
        author=name_now if is_member and name_now else row["author_name"],
        author_is_member=is_member,
        created_at=row["created_at"],
    )


def follow_ups_due(
    organization: Organization,
    day: date,
    *,
    side: OutstandingSide | str | None = None,
    administration: Administration | None = None,
) -> list[FollowUpDue]:
    """The organisation's follow-ups due on ``day`` or before and not done, both sides unless ``side`` is given: the
    most overdue first, then by relation name. One query."""
    return [_follow_up_due(row) for row in _due(organization, day, side, administration).values(*_DUE_FIELDS)]


@dataclass(frozen=True, slots=True)
class FollowUpsDue:
    shown: list[FollowUpDue]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def follow_ups_due_first(
    *,
    organization: Organization,
    day: date,
    limit: int,
    side: OutstandingSide | str | None = None,
    administration: Administration | None = None,
) -> FollowUpsDue:
    """The first ``limit`` of :func:`follow_ups_due` and how many there are in all, in one query."""
    rows = list(
        _due(organization, day, side, administration)
        .annotate(total=Window(Count("pk")))
        .values(*_DUE_FIELDS, "total")[:limit]
    )
    return FollowUpsDue(shown=[_follow_up_due(row) for row in rows], total=rows[0]["total"] if rows else 0)
