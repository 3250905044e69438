"""The cost model's activity: children looked after by placement type, counted from the same
submissions and by the same rules as LAC-COUNT."""

from __future__ import annotations

import datetime as dt

from carestat.analytics.finance import PlacementGroup, looked_after_by_placement
from carestat.analytics.measures.children import compute_children_measures

from .conftest import write_903
from .test_measures import _looked_after_children


def _lac_count(store, period):
    [r] = [r for r in compute_children_measures(store, period, "england", ["LAC-COUNT"]) if not r.breakdown]
    return r.numerator


def test_children_by_placement_type_add_up_to_the_children_looked_after_measure(load, store, tmp_path):
    load(write_903(tmp_path, [2023, 2024], _looked_after_children()))
    for period, end in (("2023-24", dt.date(2024, 3, 31)), ("2022-23", dt.date(2023, 3, 31))):
        counts = looked_after_by_placement(store, end)
        assert sum(counts.values()) == _lac_count(store, period)
    # 31 March 2024: L4 in a children's home (K2); L1, L2, L3, L5, L6, L9, L10 fostered; the
    # short break (L7, K2) and the child who left that day (L8) are not counted
    at_2024 = looked_after_by_placement(store, dt.date(2024, 3, 31))
    assert at_2024[PlacementGroup.RESIDENTIAL] == 1 and at_2024[PlacementGroup.FOSTERING] == 7
    # 31 March 2023: seven children, all fostered (L6 still in the U1 placement that ended 1 April)
    at_2023 = looked_after_by_placement(store, dt.date(2023, 3, 31))
    assert at_2023[PlacementGroup.FOSTERING] == 7 and at_2023[PlacementGroup.RESIDENTIAL] == 0


def test_an_empty_store_has_no_activity(store):
    assert sum(looked_after_by_placement(store, dt.date(2024, 3, 31)).values()) == 0
