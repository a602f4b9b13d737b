"""Writing relations: the customers and suppliers."""

from __future__ import annotations

from collections.abc import Iterable

from ledger.models import Administration, Relation
from ledger.records import RelationRecord

from . import bulk
from .accounts import BATCH_SIZE
from .outstanding import outstanding_changed
from .results import WriteCounts

_RELATIONS = bulk.Table(
    model=Relation,
    key=("administration_id", "external_id"),
    columns=(
        "external_id",
        "code",
        "name",
        "relation_type",
        "payment_term_days",
        "address",
        "postal_code",
        "city",
        "country",
        "email",
    ),
)


def relations_upsert(
    *, administration: Administration, rows: Iterable[RelationRecord], batch_size: int = BATCH_SIZE
) -> WriteCounts:
    """Store the relations as given: new ones are added, changed ones updated, the others left untouched."""
    counts = bulk.upsert_in_batches(
        table=_RELATIONS,
        fixed={"administration_id": administration.pk},
        rows=(
            (
                r.external_id,
                r.code,
                r.name,
                r.relation_type,
                r.payment_term_days,
                r.address,
                r.postal_code,
                r.city,
                r.country,
                r.email,
            )
            for r in rows
        ),
        batch_size=batch_size,
    )
    if counts.new or counts.changed:
        outstanding_changed(administration)
    return counts
