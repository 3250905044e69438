"""The committee report's commissioning section, its public version, and the home tiles."""

import datetime as dt

from carestat.commissioning import contributions
from carestat.core.contributions import SectionContext, Tile, section_view
from carestat.core.models import ReportingPeriod


def _ctx(org):
    from carestat.core import services as core_services

    core_services.ensure_year_periods(org, "2026-27", actor=None)
    period = ReportingPeriod.objects.get(organisation=org, identifier="2026-27-Q3")
    return SectionContext(organisation=org, period=period, as_of=dt.date(2026, 12, 4), scope="organisation")


def test_the_section_answers_the_vcse_question_and_the_public_version_hides_sensitive_values(loaded):
    section = contributions.commissioning_section(_ctx(loaded.organisation))
    assert section["paragraphs"][0].startswith(
        "In 2026-27 the council paid £2k to voluntary, community and social enterprise (VCSE) providers: 33.3% of "
        "£6k paid to providers.")
    full = {"key": "commissioning", "title": "Commissioning", **section}
    pipeline = section_view(full, public=False)["tables"][2]
    public = section_view(full, public=True)["tables"][2]
    dc3 = next(r for r in pipeline["rows"] if r[0] == "DC-003")
    assert dc3[-1] == 20000.0
    assert next(r for r in public["rows"] if r[0] == "DC-003")[-1] == "withheld (commercially sensitive)"
    # the public contract value by sector leaves DC-003's 9,972.60 out: 189,972.60 - 9,972.60 = 180,000
    value = section_view(full, public=True)["tables"][1]
    assert value["rows"][-1][:2] == ["Total", 180000.0]
    assert section["charts"][0]["summary"]


def test_the_home_tiles_show_vcse_spend_and_contracts_ending_soon(loaded, story_day):
    tiles = contributions.home_tiles(loaded, None)
    assert tiles[0] == Tile("Spend with VCSE providers 2026-27", "£2k", "33.3% of £6k paid to providers",
                            "/o/demoshire/commissioning/?year=2026-27", order=45)
    assert (tiles[1].value, tiles[1].detail) == ("2", "3 within 18 months")
