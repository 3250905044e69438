"""The commissioning pages: the market map answering the VCSE question with its sources, the
registers, the unmatched queue a manager works through, merging, and the import with its problems."""

from django.core.files.uploadedfile import SimpleUploadedFile

from carestat.commissioning.models import Payment, Provider
from carestat.commissioning.tests.builders import CONTRACTS_CSV


def test_the_market_map_answers_the_vcse_question_with_its_sources(client, loaded, viewer, story_day):
    client.force_login(viewer)
    html = client.get("/o/demoshire/commissioning/?year=2026-27").content.decode()
    assert "The council paid <strong>£2,000.00</strong> to voluntary, community and social enterprise" in html
    assert "33.3% of the £6,000.00" in html and "payments.csv (£2,000.00 with VCSE providers)" in html
    assert "<strong>£89,972.60</strong>" in html and "47.4% of £189,972.60" in html
    assert "Herfindahl-Hirschman index is 3161" in html
    assert "<svg" in html and "Brightway House" in html
    assert "Import a file" not in html  # a viewer reads only


def test_a_manager_matches_an_unmatched_supplier_from_the_queue(client, loaded, manager):
    client.force_login(manager)
    html = client.get("/o/demoshire/commissioning/payments/").content.decode()
    assert "Unknown Co" in html and "£123.45" in html
    hope = Provider.objects.get(name="Hope Advocacy")
    response = client.post("/o/demoshire/commissioning/payments/", {"supplier_key": "unknown", "provider": hope.pk})
    assert response.status_code == 302
    assert Payment.objects.get(supplier="Unknown Co").provider == hope
    assert "Every payment is matched" in client.get("/o/demoshire/commissioning/payments/").content.decode()


def test_a_manager_merges_a_duplicate_provider_with_a_reason(client, loaded, manager):
    client.force_login(manager)
    client.post("/o/demoshire/commissioning/providers/", {"name": "Hope Advocacy Trust", "sector": "charity",
                                                          "charity_number": "1100001", "size_band": ""})
    assert "may be the same organisation" not in client.get("/o/demoshire/commissioning/providers/").content.decode()
    dup = Provider.objects.create(organisation=loaded.organisation, name="Hope Advocacy (old)",
                                  normalised_name="hope advocacy old", sector="charity", charity_number="1100001")
    html = client.get("/o/demoshire/commissioning/providers/").content.decode()
    assert "may be the same organisation" in html and "both have registration number 1100001" in html
    keep = Provider.objects.get(name="Hope Advocacy")
    response = client.post(f"/o/demoshire/commissioning/providers/{keep.pk}/",
                           {"drop": dup.pk, "reason": "The same charity, entered twice"})
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into == keep


def test_an_import_with_problems_lists_them_and_stores_nothing(client, loaded, manager):
    client.force_login(manager)
    bad = CONTRACTS_CSV.replace(b"DC-004", b"DC-005").replace(b"2026-04-01,2029-03-31", b"2026-04-01,2025-03-31")
    response = client.post("/o/demoshire/commissioning/import/", {
        "kind": "contracts", "file": SimpleUploadedFile("register.csv", bad, "text/csv")})
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "register.csv row 5, column &#39;End date&#39;: the contract ends (31 March 2025)" in html


def test_a_large_payments_file_loads_in_the_job_queue(client, loaded, manager, settings):
    from carestat.commissioning import views
    from carestat.core.models import Job

    settings.CARESTAT_JOBS_INLINE = True
    views.JOB_FROM_BYTES, before = 10, views.JOB_FROM_BYTES
    try:
        client.force_login(manager)
        response = client.post("/o/demoshire/commissioning/import/", {"kind": "payments", "file": SimpleUploadedFile(
            "big.csv", b"Supplier,Payment date,Amount\nHope Advocacy,2026-09-01,25\n", "text/csv")})
    finally:
        views.JOB_FROM_BYTES = before
    job = Job.objects.get(kind="commissioning.payments")
    assert response["Location"] == f"/o/demoshire/jobs/{job.pk}/"
    assert job.status == "done" and Payment.objects.filter(source__filename="big.csv").count() == 1
