"""Comparison with national, regional and comparator-group benchmarks, with source and year.

"Similar" means the gap is no bigger than ``similar_within`` (inclusive, absolute, in the
measure's units); with the default of 0 only an identical value is similar. For a measure
where neither direction is better the result is higher / lower / similar, with no judgement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .rag import Number, Polarity, compares_with_benchmarks, format_difference, format_value, to_decimal


class BenchmarkKind(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    COMPARATOR = "comparator"  # statistical neighbours or another comparator group


class Comparison(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SIMILAR = "similar"
    HIGHER = "higher"  # neither polarity
    LOWER = "lower"  # neither polarity


_DEFAULT_NAMES = {
    BenchmarkKind.NATIONAL: "national",
    BenchmarkKind.REGIONAL: "regional",
    BenchmarkKind.COMPARATOR: "comparator group",
}


@dataclass(frozen=True)
class Benchmark:
    kind: BenchmarkKind
    value: Decimal
    source: str  # "DfE Children in need 2025"
    year: str  # the period the benchmark describes: "2024-25"
    name: str = ""  # "England", "North West", "statistical neighbours"; defaults by kind

    def __post_init__(self):
        object.__setattr__(self, "kind", BenchmarkKind(self.kind))
        object.__setattr__(self, "value", to_decimal(self.value))

    @property
    def display_name(self) -> str:
        return self.name or _DEFAULT_NAMES[self.kind]


@dataclass(frozen=True)
class BenchmarkJudgement:
    benchmark: Benchmark
    comparison: Comparison | None
    value: Decimal | None
    difference: Decimal | None  # value - benchmark, signed
    explanation: str
    # False when the unit is not comparable (a count): the benchmark is context, not judged
    compared: bool = True


def judge_against_benchmark(
    value: Number | None,
    benchmark: Benchmark,
    polarity: Polarity | str,
    similar_within: Number = 0,
    unit: str = "percent",
    places: int | None = None,
) -> BenchmarkJudgement:
    """'25.0% is worse than national (22.6%, DfE Children in need 2025, 2024-25) ...'.

    Only a share or a rate is compared (``compares_with_benchmarks``): for a count the
    benchmark is given as context, with no comparison and no difference.
    """
    polarity = Polarity(polarity)
    v = to_decimal(value)
    within = to_decimal(similar_within)
    cite = (
        f"{benchmark.display_name} ({format_value(benchmark.value, unit, places)}, "
        f"{benchmark.source}, {benchmark.year})"
    )
    if not compares_with_benchmarks(unit):
        return BenchmarkJudgement(
            benchmark,
            None,
            v,
            None,
            f"For context only: {benchmark.display_name} {format_value(benchmark.value, unit, places)} "
            f"({benchmark.source}, {benchmark.year}). A count grows with the size of the place it "
            "counts, so it is not compared with this council's figure.",
            compared=False,
        )
    if v is None:
        return BenchmarkJudgement(
            benchmark,
            None,
            None,
            None,
            f"There is no value for this period to compare with {cite}.",
        )
    diff = v - benchmark.value
    fv = format_value(v, unit, places)
    gap = format_difference(diff, unit, places)
    if abs(diff) <= within:
        comparison = Comparison.SIMILAR
        if diff == 0:
            words = f"{fv} is the same as {cite}."
        else:
            side = "higher" if diff > 0 else "lower"
            margin = format_difference(within, unit, places)
            words = f"{fv} is similar to {cite}: {gap} {side}, within {margin}."
    else:
        side = "higher" if diff > 0 else "lower"
        if polarity is Polarity.NEITHER:
            comparison = Comparison.HIGHER if diff > 0 else Comparison.LOWER
            words = f"{fv} is {side} than {cite} by {gap}."
        else:
            better = (diff > 0) == (polarity is Polarity.HIGHER_IS_BETTER)
            comparison = Comparison.BETTER if better else Comparison.WORSE
            words = f"{fv} is {comparison.value} than {cite}: {gap} {side}."
    return BenchmarkJudgement(benchmark, comparison, v, diff, f"{words} {polarity.sentence}")


def judge_against_benchmarks(
    value: Number | None,
    benchmarks: Iterable[Benchmark],
    polarity: Polarity | str,
    similar_within: Number = 0,
    unit: str = "percent",
    places: int | None = None,
) -> list[BenchmarkJudgement]:
    """One judgement per benchmark, in the order given."""
    return [
        judge_against_benchmark(value, b, polarity, similar_within, unit, places)
        for b in benchmarks
    ]
