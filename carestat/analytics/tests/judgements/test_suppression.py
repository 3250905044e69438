from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carestat.analytics.judgements.suppression import (
    Marker,
    SuppressionReason,
    publish_count,
    publish_rate,
    suppress_breakdown,
    suppress_table,
)

P, S = SuppressionReason.PRIMARY, SuppressionReason.SECONDARY


# -- primary suppression -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "display", "suppressed"),
    [
        (0, "0", False),
        (1, "fewer than 5", True),
        (4, "fewer than 5", True),
        (5, "5", False),
        (1204, "1,204", False),
    ],
)
def test_counts_of_one_to_four_are_suppressed_and_zero_is_shown(count, display, suppressed):
    published = publish_count(count)
    assert published.display == display
    assert published.suppressed is suppressed


def test_a_suppressed_count_does_not_carry_its_value_onwards():
    published = publish_count(3, Marker.CODE)
    assert published.value is None
    assert published.display == "[c]"
    assert published.reason is P


@pytest.mark.parametrize(
    ("numerator", "denominator", "suppressed"),
    [(3, 50, True), (0, 4, True), (46, 50, False), (0, 50, False), (5, 5, False), (4, 5, True)],
)
def test_a_rate_is_suppressed_when_its_numerator_or_denominator_is_one_to_four(
    numerator, denominator, suppressed
):
    published = publish_rate(
        Decimal(numerator) * 100 / denominator, numerator, denominator, display="x%"
    )
    assert published.suppressed is suppressed
    assert published.display == ("[c]" if suppressed else "x%")


# -- secondary suppression in a breakdown ---------------------------------------------------


def test_a_single_small_part_of_a_breakdown_needs_a_second_cell_suppressed():
    # 3 + 10 + 20 = 33. Hiding only the 3 would let anyone recover it as 33 - 10 - 20, so the
    # next smallest part, 10, is hidden too; then the two hidden parts are known only to sum to 13.
    result = suppress_breakdown({"White": 3, "Mixed": 10, "Asian": 20})
    assert result.reasons == {"White": P, "Mixed": S}
    assert [result.display(k) for k in ("White", "Mixed", "Asian", "Total")] == [
        "fewer than 5",
        "fewer than 5",
        "20",
        "33",
    ]


def test_secondary_suppression_passes_over_zeros_for_the_smallest_non_zero_part():
    # 3 + 0 + 12 + 20 = 35: hiding the 0 alongside the 3 protects nothing if zeros are known,
    # so the 12 is hidden.
    result = suppress_breakdown({"a": 3, "b": 0, "c": 12, "d": 20})
    assert result.secondary == {"c"}
    assert result.display("b") == "0"


def test_two_small_parts_protect_each_other_without_secondary_suppression():
    # 2 + 4 + 30 = 36: two hidden parts are known only to sum to 6.
    result = suppress_breakdown({"a": 2, "b": 4, "c": 30})
    assert result.primary == {"a", "b"}
    assert result.secondary == set()


def test_a_small_total_is_suppressed_with_its_parts():
    # 0 + 3 = 3: the part and the total are both 1-4, so both are primary; the 0 is shown.
    result = suppress_breakdown({"a": 0, "b": 3})
    assert result.reasons == {"b": P, "Total": P}
    assert result.display("a") == "0"


def test_a_headline_total_larger_than_its_breakdown_is_protected_too():
    # headline 40 includes 7 not recorded; 3 + 10 + 20 = 33. The 7 is published (as 40 - 33)
    # so the relation still holds: hide the 3 and the 10.
    result = suppress_breakdown({"a": 3, "b": 10, "c": 20}, total=40)
    assert result.secondary == {"b"}


def test_parts_adding_up_to_more_than_the_total_are_refused():
    with pytest.raises(ValueError, match="more than the total"):
        suppress_breakdown({"a": 30, "b": 20}, total=40)


# -- secondary suppression in a table with margins ------------------------------------------


def test_a_two_by_two_table_needs_secondary_suppression_in_rows_and_columns():
    #          M    F  | Total
    #   a      2   10  |  12
    #   b      7   15  |  22
    #   Total  9   25  |  34
    # The 2 is primary. Row a: 12 - 10 reveals it, so hide 10. Column M: 9 - 7 reveals it,
    # so hide 7. Column F now has only the 10 hidden (25 - 15), so hide 15.
    result = suppress_table(["a", "b"], ["M", "F"], [[2, 10], [7, 15]])
    assert result.reasons == {("a", "M"): P, ("a", "F"): S, ("b", "M"): S, ("b", "F"): S}
    assert result.display(("Total", "Total")) == "34"
    assert result.display(("a", "Total")) == "12"


def test_secondary_suppression_iterates_until_no_row_or_column_has_a_single_hidden_cell():
    #          A    B    C  | Total
    #   r1     3   10   20  |  33
    #   r2     8   40   30  |  78
    #   r3     9   12   15  |  36
    #   Total 20   62   65  | 147
    # Pass 1, rows then columns: r1 has only the primary 3 -> hide r1 B (10 < 20);
    #   column A has only the 3 -> hide r2 A (8 < 9); column B has only r1 B -> hide r3 B (12 < 40).
    # Pass 2: r2 has only r2 A -> hide r2 C (30 < 40); r3 has only r3 B -> hide r3 A (9 < 15);
    #   column C has only r2 C -> hide r3 C (15 < 20).
    # Pass 3: every row and column has 0, 2 or 3 hidden cells: stable.
    result = suppress_table(
        ["r1", "r2", "r3"], ["A", "B", "C"], [[3, 10, 20], [8, 40, 30], [9, 12, 15]]
    )
    assert result.primary == {("r1", "A")}
    assert result.secondary == {
        ("r1", "B"),
        ("r2", "A"),
        ("r3", "B"),
        ("r2", "C"),
        ("r3", "A"),
        ("r3", "C"),
    }
    assert result.passes == 3
    # no total was hidden, and each row and column has 0 or at least 2 hidden cells
    assert all(k[0] != "Total" and k[1] != "Total" for k in result.reasons)
    for r in ["r1", "r2", "r3"]:
        assert sum((r, c) in result.reasons for c in "ABC") != 1
    for c in "ABC":
        assert sum((r, c) in result.reasons for r in ["r1", "r2", "r3"]) != 1


def test_a_table_without_small_numbers_is_published_whole():
    result = suppress_table(["a", "b"], ["M", "F"], [[12, 10], [7, 15]])
    assert result.reasons == {}
    assert result.passes == 1
    assert result.display(("Total", "F")) == "25"


def test_a_ragged_table_is_refused():
    with pytest.raises(ValueError, match="2 rows of 2 columns"):
        suppress_table(["a", "b"], ["M", "F"], [[1, 2], [3]])


# -- properties that must hold for any table -------------------------------------------------


counts = st.integers(min_value=0, max_value=40)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda r: st.integers(1, 4).flatmap(
            lambda c: st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r)
        )
    )
)
def test_no_row_or_column_of_any_table_is_left_with_exactly_one_hidden_cell(grid):
    rows = [f"r{i}" for i in range(len(grid))]
    cols = [f"c{j}" for j in range(len(grid[0]))]
    result = suppress_table(rows, cols, grid)
    for r in [*rows, "Total"]:
        assert sum((r, c) in result.reasons for c in [*cols, "Total"]) != 1
    for c in [*cols, "Total"]:
        assert sum((r, c) in result.reasons for r in [*rows, "Total"]) != 1
    # every count of 1 to 4 (cell or total) is hidden, and nothing hidden shows its value
    for key, cell in result.cells.items():
        if 1 <= result_value(grid, rows, cols, key) <= 4:
            assert cell.suppressed
        if cell.suppressed:
            assert cell.value is None and cell.display == "fewer than 5"


def result_value(grid, rows, cols, key):
    r, c = key
    row_ids = range(len(rows)) if r == "Total" else [rows.index(r)]
    col_ids = range(len(cols)) if c == "Total" else [cols.index(c)]
    return sum(grid[i][j] for i in row_ids for j in col_ids)
