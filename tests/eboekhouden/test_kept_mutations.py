"""The run's gateway hands out the details the open items fetched early, once each, and fetches again a mutation
whose listed header shows that it changed after it was fetched."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from eboekhouden.client.dto import Mutation, MutationHeader, MutationType, Unreadable
from eboekhouden.sync.kept import KeptMutations

DAY = dt.date(2025, 3, 4)


def invoice(mutation_id: int, *, day: dt.date = DAY, number: str = "F-1") -> Mutation:
    return Mutation(
        id=mutation_id,
        type=MutationType.INVOICE_SENT,
        date=day,
        ledger_id=10,
        invoice_number=number,
        term_of_payment=14,
    )


class Source:
    """A gateway that counts the details it was asked for."""

    def __init__(self, mutations: list[Mutation], headers: list[MutationHeader] | None = None) -> None:
        self.by_id = {m.id: m for m in mutations}
        self.headers = headers or []
        self.asked: Counter = Counter()
        self.protocol = "fake"

    def mutations(self, mutation_ids):
        for mutation_id in mutation_ids:
            self.asked[mutation_id] += 1
            if mutation_id in self.by_id:
                yield self.by_id[mutation_id]
            else:
                yield Unreadable(kind="mutation", external_id=str(mutation_id), reason="a date in the year 10000")

    def mutation(self, mutation_id):
        self.asked[mutation_id] += 1
        return self.by_id[mutation_id]

    def mutation_headers(self, first, last):
        return iter(self.headers)


def test_a_kept_detail_is_handed_out_once_instead_of_being_fetched_again():
    source = Source([invoice(1), invoice(2), invoice(3)])
    kept = KeptMutations(source)

    assert [m.id for m in kept.fetch_and_keep([1, 2])] == [1, 2]
    assert sorted(m.id for m in kept.mutations([1, 2, 3])) == [1, 2, 3]

    assert source.asked == {1: 1, 2: 1, 3: 1}
    assert kept.kept == 0
    list(kept.mutations([1]))  # asked again later (a repair): from the source
    assert source.asked[1] == 2


def test_an_unreadable_detail_is_kept_too_so_the_mutations_stream_sets_it_aside_without_a_call():
    source = Source([])
    kept = KeptMutations(source)
    list(kept.fetch_and_keep([7]))

    (served,) = kept.mutations([7])

    assert isinstance(served, Unreadable) and served.external_id == "7"
    assert source.asked == {7: 1}


def test_a_mutation_whose_header_changed_after_it_was_fetched_is_fetched_again():
    moved, same = invoice(1), invoice(2)
    header = MutationHeader(id=1, type=moved.type, date=DAY + dt.timedelta(days=1), ledger_id=10, amount=Decimal(1))
    unchanged = MutationHeader(id=2, type=same.type, date=DAY, ledger_id=10, amount=Decimal(1), invoice_number="F-1")
    source = Source([moved, same], [header, unchanged])
    kept = KeptMutations(source)
    list(kept.fetch_and_keep([1, 2]))

    assert list(kept.mutation_headers(DAY, DAY)) == [header, unchanged]
    list(kept.mutations([1, 2]))

    assert source.asked == {1: 2, 2: 1}


def test_everything_else_is_the_gateways():
    source = Source([invoice(1)])
    kept = KeptMutations(source)

    assert kept.protocol == "fake"
    assert kept.mutation(1) == invoice(1)
