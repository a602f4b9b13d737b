"""Notes and follow-ups on a relation, or on one of its open items: what the organisation agreed with a customer or a
supplier, and when to chase them again. Written in Monitr only: the bookkeeping is never changed.

A note belongs to one side of a relation (the receivables of a customer, the payables of a supplier: a relation can
be both, and a promise to pay is about one of them), and is either on the relation itself or on one of its open items.

**Which open item.** The source's open items are rows that a sync rewrites: an item that is paid disappears, and a
past day reads other rows again (the open-item ledger, the daily snapshots), each with ids of its own. So a note does
not point at a row. It names its item by what the bookkeeping itself keeps for it: the relation (a row the syncs
update in place and never delete), the side, and the item's invoice number; the provider's id of the item
(``item_external_id``) is kept beside it and names the item only when it has no invoice number. The note therefore
finds its invoice again after any re-sync, on any past day, and stays on the relation's list once the invoice is
paid.

**Follow-ups.** A note may carry a follow-up date (when to act again) and a date the relation promised to pay on.
Either makes it a follow-up, due on the earlier of the two; it stays open until someone marks it done.

**The author.** The user who wrote it, and their name as it was then: a note outlives its author's membership (and
their account), and is then shown with that name as a former member's.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from ledger.models import OutstandingSide, Relation
from monitr.tenancy.scoping import TenantManager

NOTE_MAX_LENGTH = 4000


def follow_up_day() -> Least:
    """The day a note's follow-up is due, in the database: the earlier of its follow-up and promised dates, None
    without either (written so that one missing date does not make it None: SQLite's MIN of two gives None)."""
    return Least(
        Coalesce("follow_up_on", "promised_on"),
        Coalesce("promised_on", "follow_up_on"),
        output_field=models.DateField(),
    )


class RelationNote(models.Model):
    relation = models.ForeignKey(Relation, on_delete=models.CASCADE, related_name="+", db_index=False)
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    # Both empty: a note on the relation. See the module's docstring for why an item is named and not linked.
    invoice_number = models.TextField(blank=True)
    item_external_id = models.CharField(max_length=100, blank=True)
    text = models.TextField(max_length=NOTE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=300, help_text="The author's name when they wrote the note.")
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    promised_on = models.DateField(null=True, blank=True, help_text="The day the relation promised to pay on.")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by_name = models.CharField(max_length=300, blank=True)

    tenant_path = "relation__administration__organization"
    objects = TenantManager()

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["relation", "side"], name="relationnote_by_relation")]
        constraints = [
            # Named by its invoice number or, without one, by the provider's id: never by the id alone when the
            # number is there, so that the item is found on every kind of row.
            models.CheckConstraint(
                condition=models.Q(invoice_number="") | ~models.Q(item_external_id=""),
                name="relationnote_item_has_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"Note on {self.relation_id} ({self.side}) by {self.author_name}"

    @property
    def on_item(self) -> bool:
        return bool(self.invoice_number or self.item_external_id)

    @property
    def item_key(self) -> str:
        """What names its open item on any row (:func:`item_key`); empty for a note on the relation."""
        return item_key(self.invoice_number, self.item_external_id) if self.on_item else ""

    @property
    def follow_up_due_on(self) -> date | None:
        """The earlier of the follow-up and promised dates; None without either."""
        dates = [d for d in (self.follow_up_on, self.promised_on) if d is not None]
        return min(dates) if dates else None

    @property
    def is_open_follow_up(self) -> bool:
        return self.follow_up_due_on is not None and self.done_at is None


def item_key(invoice_number: str, external_id: str) -> str:
    """An open item's name among its relation's items on one side: its invoice number, else the provider's id."""
    return f"invoice:{invoice_number}" if invoice_number else f"id:{external_id}"
