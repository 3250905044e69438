

def test_a_benchmark_and_a_process_change_can_be_added_through_the_api(client, manager, demoshire):
    from carestat.core import services as core_services
    from carestat.measures import services as measure_services
    from carestat.measures.models import Measure
    from conftest import access_for

    measure_services.adopt_measure(access_for(manager, demoshire), "WF-PERMANENT-SHARE")
    token = core_services.create_api_token(manager, "t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    base = "/api/v1/organisations/demoshire/measures/WF-PERMANENT-SHARE"
    r = client.post(f"{base}/benchmarks", {"kind": "galaxy", "value": 1, "source": "x", "year": "2024-25"},
                    content_type="application/json", **auth)
    assert r.status_code == 422 and r.json()["field"] == "kind"
    r = client.post(f"{base}/benchmarks", {"kind": "regional", "name": "South East", "value": 74.5,
                                           "source": "Skills for Care 2025", "year": "2024-25"},
                    content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["value"] == 74.5
    r = client.post(f"{base}/process-changes", {"starts_on": "2025-04-01", "reason": "New retention offer"},
                    content_type="application/json", **auth)
    assert r.status_code == 201
    m = Measure.objects.get(organisation=demoshire, code="WF-PERMANENT-SHARE")
    assert m.benchmarks.count() == 1 and m.process_changes.get().reason == "New retention offer"
