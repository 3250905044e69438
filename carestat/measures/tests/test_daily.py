"""What measures show on the home page: figures awaiting approval and measures turned red for
a manager, measures whose RAG changed for a viewer, each linked to the list filtered alike."""

from carestat.measures import selectors, services
from conftest import access_for


def _turned_red(org, manager, contributor):
    m = services.add_local_measure(manager, code="LOC1", title="Assessments within 28 days", domain="adults",
                                   unit="percent", polarity="higher_is_better")
    services.set_target(manager, m, period="2025-26", value=80)
    services.enter_value(manager, m, period="2025-26-Q3", value=85)  # green: above 80
    services.enter_value(manager, m, period="2025-26-Q4", value=60)  # red: well below
    services.enter_value(access_for(contributor, org), m, period="2026-27-Q1", value=62)  # awaiting approval
    return m


def test_a_measure_that_went_from_green_to_red_is_listed_as_turned_red(demoshire, manager, contributor):
    m = _turned_red(demoshire, access_for(manager, demoshire), contributor)
    rows, _ = selectors.measure_rows(demoshire, changed="red")
    assert [(r["measure"].code, r["previous_rag"], r["rag"]) for r in rows] == [(m.code, "green", "red")]
    assert [r["measure"].code for r in selectors.measure_rows(demoshire, changed="rag")[0]] == ["LOC1"]
    assert [v.period for v in selectors.values_awaiting_approval(demoshire)] == ["2026-27-Q1"]


def test_a_managers_home_counts_figures_awaiting_approval_and_measures_turned_red(client, demoshire, manager,
                                                                                  contributor, viewer):
    _turned_red(demoshire, access_for(manager, demoshire), contributor)
    client.force_login(manager)
    html = client.get("/o/demoshire/").content.decode()
    red = html.split('href="/o/demoshire/measures/?changed=red">Measures turned red</a></h3>')[1].split("</li>")[0]
    assert '<p class="app-tile__value">1</p>' in red and "LOC1" in red
    waiting = html.split("Measure figures awaiting approval</a></h3>")[1].split("</li>")[0]
    assert '<p class="app-tile__value">1</p>' in waiting and "1 entered or imported, 0 recomputed" in waiting
    assert "LOC1" in client.get("/o/demoshire/measures/?changed=red").content.decode()
    client.force_login(viewer)
    html = client.get("/o/demoshire/").content.decode()
    assert 'href="/o/demoshire/measures/?changed=rag">Measures whose RAG changed</a>' in html
