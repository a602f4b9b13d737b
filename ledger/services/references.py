"""Turning the external ids that records use into the primary keys of rows already stored.

One query per model and batch, for the batch's own ids only: never a query per row, never the whole table.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from ledger.models import Administration

from .bulk import ORM_CHUNK, batched


class UnknownReferenceError(LookupError):
    """A record names an account, relation or cost centre that was not imported first.

    Raised before anything of the batch is written. The importer stores reference data (accounts, relations,
    cost centres) before the transactions and open items that point at it.
    """

    def __init__(self, model: type[models.Model], external_ids: Iterable[str]) -> None:
        self.model = model
        self.external_ids = sorted(external_ids)
        shown = ", ".join(repr(i) for i in self.external_ids[:5])
        more = f" and {len(self.external_ids) - 5} more" if len(self.external_ids) > 5 else ""
        name = model._meta.verbose_name_plural
        super().__init__(f"Unknown {name} (by external id): {shown}{more}. Import them first.")


def ids_by_external_id(
    *,
    model: type[models.Model],
    administration: Administration,
    external_ids: Iterable[str | None],
    strict: bool = True,
) -> dict[str, int]:
    """``{external_id: pk}`` for every given id (None is skipped); raises :class:`UnknownReferenceError` if any
    is not stored for this administration, unless ``strict`` is False: then the unknown ones are left out."""
    wanted = {i for i in external_ids if i is not None}
    found: dict[str, int] = {}
    for chunk in batched(wanted, ORM_CHUNK * 10):
        rows = model._default_manager.filter(administration=administration, external_id__in=chunk)
        found.update(rows.values_list("external_id", "pk"))
    if strict and (missing := wanted - found.keys()):
        raise UnknownReferenceError(model, missing)
    return found


class References:
    """The ids of one model resolved so far during one service call: each batch queries only ids not seen yet.

    Holds reference data only (accounts, relations, cost centres), which is small next to the transactions.
    """

    def __init__(self, *, model: type[models.Model], administration: Administration) -> None:
        self.model = model
        self.administration = administration
        self.known: dict[str, int] = {}

    def resolve(self, external_ids: Iterable[str | None], *, strict: bool = True) -> dict[str, int]:
        """The map of every id resolved so far, including ``external_ids``; raises :class:`UnknownReferenceError`
        if one of them is not stored (unless ``strict`` is False: then it is missing from the map)."""
        known = self.known
        if missing := {i for i in external_ids if i is not None and i not in known}:
            known.update(
                ids_by_external_id(
                    model=self.model, administration=self.administration, external_ids=missing, strict=strict
                )
            )
        return known


def missing_references_reason(missing: Iterable[tuple[type[models.Model], str]]) -> str:
    """Why a record that names rows not stored cannot be stored: the reason an importer sets it aside with."""
    named = sorted({f"{model._meta.verbose_name} {external_id}" for model, external_id in missing})
    shown = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
    return f"It refers to {shown}, which Monitr has not imported (set aside too, or not in the source)."
