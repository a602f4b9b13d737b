"""Notes and follow-ups on a relation and its open items: listed and written on the relation's drill-down of the
Outstanding Items dashboard (``outstanding.outstanding_items`` asks :func:`drill_down_context` for them), edited on a
page of their own, deleted and marked done from the drill-down.

Every member writes notes and marks follow-ups done; only the author or an admin edits or deletes a note (another
member is refused with a 403, and the drill-down shows them no such controls). Another organisation's relation or
note is a 404. Every write is a POST with its CSRF token, and goes back to the drill-down as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ledger.models import OutstandingSide, Relation
from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest
from monitr.tenancy.scoping import get_for_organization_or_404

from ..forms import OutstandingItemsFilterForm
from ..note_forms import NoteForm
from ..note_services import note_create, note_delete, note_follow_up_done, note_may_change, note_update
from ..notes import RelationNote, item_key
from ..selectors.notes import note_items, relation_notes
from ..selectors.scope import OutstandingScope

# The drill-down's query parameter that starts the new note's form on one open item (the item's row links to it).
NOTE_ITEM_PARAMETER = "note_item"


def drill_down_context(
    request: MemberRequest,
    form: OutstandingItemsFilterForm,
    scope: OutstandingScope,
    relation: Relation,
    items: Iterable[Any],
    *,
    chosen_item: str = "",
) -> dict[str, Any]:
    """What the relation's drill-down shows of its notes: the list (with who may change each), the form for a new
    one (on ``chosen_item`` when that is one of the relation's open items), and the name of each item of the page
    that notes find it by (``note_key``). Two queries: the notes, the relation's open items today."""
    organization = request.organization
    notes = relation_notes(organization=organization, relation=relation, side=scope.side)
    today = timezone.localdate()
    open_items = note_items(organization=organization, relation=relation, side=scope.side)
    open_keys = {item.key for item in open_items}
    on_items: dict[str, int] = {}
    for note in notes:
        note.may_change = note_may_change(  # type: ignore[attr-defined]
            note=note, user=request.user, membership=request.membership
        )
        note.item_open = note.item_key in open_keys  # type: ignore[attr-defined]
        if note.on_item:
            on_items[note.item_key] = on_items.get(note.item_key, 0) + 1
    for item in items:
        item.note_key = item_key(item.invoice_number, item.external_id)
    return {
        "notes": notes,
        "notes_on_items": on_items,
        "open_item_keys": open_keys,
        "note_form": NoteForm(today=today, items=open_items, chosen_item=chosen_item, prefix="note"),
        # This page as it is: where a write goes back to, and what an item's "add a note" link adds its item to.
        "note_query": form.query(page=page if (page := form.value("page")) > 1 else None),
        "note_item_parameter": NOTE_ITEM_PARAMETER,
        "today": today,
    }


def _back(request: MemberRequest, relation: Relation, side: str) -> str:
    """The relation's drill-down as the form was sent from (``next_query``, re-encoded so that only query parameters
    come through), on the note's relation and side."""
    query = QueryDict(request.POST.get("next_query", ""), mutable=True)
    query.pop(NOTE_ITEM_PARAMETER, None)
    query["administration"] = str(relation.administration_id)
    query["relation"] = str(relation.pk)
    query["side"] = side
    return f"{reverse('dashboards:outstanding_items')}?{query.urlencode()}#notes"


def _side(value: str | None) -> str:
    if value not in OutstandingSide.values:
        raise BadRequest("Not a side of the open items.")
    return value


def _refused() -> dict[str, str]:
    return {"reason": _("Only the note's author or an admin of this organisation can change or delete it.")}


@require_POST
@member_required
def note_add(request: MemberRequest, relation: int) -> HttpResponse:
    """A new note on the relation, or on one of its open items, by any member."""
    found = get_for_organization_or_404(Relation, request.organization, pk=relation)
    side = _side(request.POST.get("side"))
    items = note_items(organization=request.organization, relation=found, side=side)
    form = NoteForm(request.POST, today=timezone.localdate(), items=items, prefix="note")
    if not form.is_valid():
        return _form_page(request, form, relation=found, side=side, note=None, status=400)
    note_create(
        relation=found,
        side=side,
        author=request.user,
        text=form.cleaned_data["text"],
        item=form.chosen(),
        follow_up_on=form.cleaned_data["follow_up_on"],
        promised_on=form.cleaned_data["promised_on"],
    )
    messages.success(request, _("Note saved."))
    return redirect(_back(request, found, side))


@require_http_methods(["GET", "POST"])
@member_required
def note_edit(request: MemberRequest, pk: int) -> HttpResponse:
    """The note's own page to change its text and dates: its author's or an admin's."""
    note = get_for_organization_or_404(RelationNote, request.organization, pk=pk)
    if not note_may_change(note=note, user=request.user, membership=request.membership):
        return render(request, "403.html", _refused(), status=403)
    relation = note.relation
    if request.method != "POST":
        form = NoteForm(today=timezone.localdate(), note=note, prefix="note")
        return _form_page(request, form, relation=relation, side=note.side, note=note)
    form = NoteForm(request.POST, today=timezone.localdate(), note=note, prefix="note")
    if not form.is_valid():
        return _form_page(request, form, relation=relation, side=note.side, note=note, status=400)
    note_update(
        note=note,
        text=form.cleaned_data["text"],
        follow_up_on=form.cleaned_data["follow_up_on"],
        promised_on=form.cleaned_data["promised_on"],
        by=request.user,
    )
    messages.success(request, _("Note saved."))
    return redirect(_back(request, relation, note.side))


def _form_page(
    request: MemberRequest,
    form: NoteForm,
    *,
    relation: Relation,
    side: str,
    note: RelationNote | None,
    status: int = 200,
) -> HttpResponse:
    """A note's form on a page of its own: editing one, or a new one that came back with something to correct."""
    next_query = request.POST.get("next_query") or request.GET.get("next_query") or ""
    query = QueryDict(next_query, mutable=True)
    query.pop(NOTE_ITEM_PARAMETER, None)
    query["administration"], query["relation"], query["side"] = str(relation.administration_id), str(relation.pk), side
    context = {
        "form": form,
        "note": note,
        "relation": relation,
        "side": side,
        "is_receivable": side == OutstandingSide.RECEIVABLE,
        "next_query": query.urlencode(),
        "action": reverse("dashboards:note_edit", args=[note.pk])
        if note
        else reverse("dashboards:note_add", args=[relation.pk]),
    }
    return render(request, "dashboards/note_form.html", context, status=status)


@require_POST
@member_required
def note_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    note = get_for_organization_or_404(RelationNote, request.organization, pk=pk)
    if not note_may_change(note=note, user=request.user, membership=request.membership):
        return render(request, "403.html", _refused(), status=403)
    relation, side = note.relation, note.side
    note_delete(note=note, by=request.user)
    messages.success(request, _("Note deleted."))
    return redirect(_back(request, relation, side))


@require_POST
@member_required
def note_done(request: MemberRequest, pk: int) -> HttpResponse:
    """Mark the note's follow-up done (``done=1``) or open again (``done=0``): any member, as follow-ups are the
    team's. Asking for what already is changes nothing, so a form sent twice does no harm."""
    note = get_for_organization_or_404(RelationNote, request.organization, pk=pk)
    done = request.POST.get("done")
    if done not in ("0", "1"):
        raise BadRequest("Say done=1 or done=0.")
    if note.follow_up_due_on is None:
        raise BadRequest("This note has no follow-up.")
    note_follow_up_done(note=note, done=done == "1", by=request.user)
    messages.success(request, _("Follow-up marked done.") if done == "1" else _("Follow-up open again."))
    return redirect(_back(request, note.relation, note.side))
