"""New learner account numbers and certificate numbers, chosen under the write lock so that
none is already taken: draw at random, ask the store which are taken, draw again for those."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from ledger.domain.certificates import new_certificate_number
from ledger.storage.certificates import taken_numbers
from ledger.storage.unit_of_work import Transaction

__all__ = ["fresh_numbers", "fresh_values"]


def fresh_values(
    connection: Transaction,
    taken: Callable[[Transaction, Sequence[str]], set[str]],
    count: int,
    make: Callable[[], str],
) -> list[str]:
    """``count`` new distinct values of ``make`` that ``taken`` does not report."""
    chosen: list[str] = []
    seen: set[str] = set()
    while len(chosen) < count:
        candidates = [make() for _ in range(count - len(chosen))]
        candidates = [c for c in candidates if c not in seen]
        free = set(candidates) - taken(connection, candidates)
        for candidate in candidates:
            if candidate in free and candidate not in seen:
                seen.add(candidate)
                chosen.append(candidate)
    return chosen


def fresh_numbers(connection: Transaction, years: Sequence[int]) -> list[str]:
    """A new certificate number for each year in ``years``, none of them taken."""
    by_year: dict[int, list[int]] = {}
    for position, year in enumerate(years):
        by_year.setdefault(year, []).append(position)
    result: list[str | None] = [None] * len(years)
    for year, positions in by_year.items():
        fresh = fresh_values(
            connection,
            taken_numbers,
            len(positions),
            functools.partial(new_certificate_number, year),
        )
        for position, number in zip(positions, fresh, strict=True):
            result[position] = number
    return [number for number in result if number is not None]
