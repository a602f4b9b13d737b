"""A fleet: many administrations at once, each on its own login and API key, sized as real customers are.

A bookkeeping practice's clients are mostly small (a few hundred mutations a year) and a few are very large; a
fleet sync that only meets equal administrations never learns what one huge administration does to the others.
The sizes are drawn from a log-normal distribution (``SIGMA``: the mean is about three times the median), clipped
to ``[minimum, maximum]``, then scaled so that they add up to the total asked for, exactly: the scale is found by
bisection (the clipped, rounded sum grows with it) and the last few mutations of difference go one by one to the
largest administrations that still have room. All of it from ``random.Random`` seeded with a string and
``statistics.NormalDist``, so a seed gives the same sizes, and so the same books, every time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

from .generator import MutationStream, generate_administration
from .store import Book

SIGMA = 1.5  # of the log of the sizes: most administrations small, a few far larger than the rest
DEFAULT_MINIMUM = 50
DEFAULT_MAXIMUM = 20_000


@dataclass(frozen=True, slots=True)
class FleetSpec:
    count: int
    total_mutations: int
    minimum: int = DEFAULT_MINIMUM
    maximum: int = DEFAULT_MAXIMUM
    seed: int = 1

    def check(self) -> None:
        if self.count < 1:
            raise ValueError("a fleet needs at least one administration")
        if not 0 <= self.minimum <= self.maximum:
            raise ValueError("the fleet's minimum must be between 0 and its maximum")
        if not self.count * self.minimum <= self.total_mutations <= self.count * self.maximum:
            raise ValueError(
                f"{self.count} administrations of {self.minimum} to {self.maximum} mutations cannot add up to "
                f"{self.total_mutations}"
            )

    @property
    def seed_prefix(self) -> str:
        return f"fleet/{self.seed}/"

    def seed_of(self, position: int) -> str:
        """The data seed of the fleet's administration at ``position``: its books depend on nothing else."""
        return f"{self.seed_prefix}{position}"


def fleet_sizes(spec: FleetSpec) -> list[int]:
    """The number of mutations of each administration of the fleet, in fleet order; they sum to the total."""
    spec.check()
    rng = random.Random(f"fleet-sizes:{spec.seed}")
    normal = NormalDist()
    shape = [math.exp(SIGMA * normal.inv_cdf(min(max(rng.random(), 1e-12), 1 - 1e-12))) for _ in range(spec.count)]
    low, high = spec.minimum, spec.maximum

    def sizes_at(scale: float) -> list[int]:
        return [min(high, max(low, round(scale * value))) for value in shape]

    # The smallest scale that puts every size at the maximum bounds the search; the sum only grows with the scale.
    bottom, top = 0.0, high / min(shape) + 1.0
    for _ in range(200):
        middle = (bottom + top) / 2
        if sum(sizes_at(middle)) < spec.total_mutations:
            bottom = middle
        else:
            top = middle
    sizes = sizes_at(top)
    _settle(sizes, spec.total_mutations - sum(sizes), low, high)
    return sizes


def _settle(sizes: list[int], difference: int, low: int, high: int) -> None:
    """Add (or take) the remaining ``difference`` one mutation at a time, largest administrations first, within
    the bounds; rounding leaves at most a few per administration."""
    order = sorted(range(len(sizes)), key=lambda index: (-sizes[index], index))
    step = 1 if difference > 0 else -1
    while difference:
        moved = False
        for index in order:
            if not difference:
                break
            if low <= sizes[index] + step <= high:
                sizes[index] += step
                difference -= step
                moved = True
        if not moved:  # cannot happen for a spec that passed check()
            raise ValueError("the fleet's sizes cannot reach the total")


def build_fleet(spec: FleetSpec, *, first_index: int, first_account: int, years: int, end_date: date) -> list[Book]:
    """The fleet's books, generated now (start-up, or a control call): each administration on an account of its
    own, so that every one has its own login and API key. Eager on purpose: a benchmark that syncs the fleet must
    not find the server stalled mid-run while it generates a large administration on first use (300
    administrations with 300,000 mutations take about 15 s and 400 MB; see docs/sandbox.md)."""
    books = []
    for position, size in enumerate(fleet_sizes(spec)):
        admin = generate_administration(
            spec.seed_of(position),
            first_index + position,
            first_account + position,
            False,
            years,
            end_date,
            mutations=size,
        )
        books.append(Book(admin, MutationStream(admin, size)))
    return books
