"""Writes of the notes and follow-ups on relations (``dashboards.notes``), and who may make them.

Every member of an organisation writes notes and marks follow-ups done (or open again); only a note's author or an
admin of the organisation edits or deletes it. Each write is logged as a ``notes.*`` event, by ids: never the text.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ledger.models import OutstandingSide, Relation
from monitr.accounts.models import User
from monitr.logs import get_logger
from monitr.tenancy.models import Membership

from .notes import RelationNote
from .selectors.notes import NoteItem

log = get_logger(__name__)


def note_may_change(*, note: RelationNote, user: User, membership: Membership) -> bool:
    """Whether ``user`` (a member through ``membership``) may edit or delete ``note``: its author, or an admin."""
    return membership.is_admin or (note.author_id is not None and note.author_id == user.pk)


def note_create(
    *,
    relation: Relation,
    side: OutstandingSide | str,
    author: User,
    text: str,
    item: NoteItem | None = None,
    follow_up_on: date | None = None,
    promised_on: date | None = None,
) -> RelationNote:
    """A note by ``author`` on ``relation``'s ``side``, or on one of its open items (``item``)."""
    note = RelationNote.objects.create(
        relation=relation,
        side=side,
        invoice_number=item.invoice_number if item else "",
        item_external_id=item.external_id if item else "",
        text=text,
        author=author,
        author_name=author.display_name,
        created_at=timezone.now(),
        follow_up_on=follow_up_on,
        promised_on=promised_on,
    )
    log.info(
        "notes.created",
        note_id=note.pk,
        relation_id=relation.pk,
        side=str(side),
        on_item=note.on_item,
        follow_up=note.follow_up_due_on is not None,
        by_user_id=author.pk,
    )
    return note


def note_update(
    *, note: RelationNote, text: str, follow_up_on: date | None, promised_on: date | None, by: User
) -> RelationNote:
    """New text and dates for ``note``; it stays its author's, marked as edited now. A follow-up moved to another
    day is open again."""
    changed_dates = (note.follow_up_on, note.promised_on) != (follow_up_on, promised_on)
    note.text, note.follow_up_on, note.promised_on = text, follow_up_on, promised_on
    note.edited_at = timezone.now()
    if changed_dates and note.follow_up_due_on is not None:
        note.done_at, note.done_by_name = None, ""
    note.save(update_fields=["text", "follow_up_on", "promised_on", "edited_at", "done_at", "done_by_name"])
    log.info("notes.edited", note_id=note.pk, relation_id=note.relation_id, by_user_id=by.pk)
    return note


def note_delete(*, note: RelationNote, by: User) -> None:
    note_id, relation_id = note.pk, note.relation_id
    note.delete()
    log.info("notes.deleted", note_id=note_id, relation_id=relation_id, by_user_id=by.pk)


def note_follow_up_done(*, note: RelationNote, done: bool, by: User) -> RelationNote:
    """Mark ``note``'s follow-up done (by ``by``, now) or open again. Asking for what already is changes nothing."""
    if done == (note.done_at is not None):
        return note
    note.done_at = timezone.now() if done else None
    note.done_by_name = by.display_name if done else ""
    note.save(update_fields=["done_at", "done_by_name"])
    log.info("notes.follow_up_done" if done else "notes.follow_up_reopened", note_id=note.pk, by_user_id=by.pk)
    return note
