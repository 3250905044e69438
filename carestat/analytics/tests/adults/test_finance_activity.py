"""The cost model's adults' activity: adults receiving long-term support at the year end by
setting, counted from the same submissions and by the same rules as the ASCOF measures."""

from __future__ import annotations

import ibis

from carestat.analytics.finance import AdultSetting, adults_by_setting

from .test_adults import POPULATION, YEAR, cld, results  # noqa: F401  (fixtures)


def test_adults_by_setting_are_counted_by_hand_and_community_is_ascof_3ds_denominator(backend, cld, results):  # noqa: F811
    counts = adults_by_setting({"cld_events": ibis.memtable(cld), "population": ibis.memtable(POPULATION)}, backend,
                               YEAR)
    # On 31 March 2025: community P1, P2, P9 (P3's ended in September, P7's starts in April,
    # P10's was cropped to March 2024); residential P3 (from 10 September 2024; P5's ended in
    # June); nursing P4 (aged 35) and P5 (from 1 July 2024)
    assert counts == {AdultSetting.COMMUNITY: 3, AdultSetting.RESIDENTIAL: 1, AdultSetting.NURSING: 2}
    assert counts[AdultSetting.COMMUNITY] == results[("ASCOF-3D", ())].denominator


def test_without_client_level_data_every_setting_counts_nobody(backend):
    assert adults_by_setting({}, backend, YEAR) == {s: 0 for s in AdultSetting}
