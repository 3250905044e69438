"""The measures list as CSV and Excel: the rows the page shows, values as typed numbers."""

import csv
import io

from openpyxl import load_workbook

from carestat.core.models import AuditEntry
from carestat.measures import services
from conftest import access_for


def test_the_measures_list_downloads_with_its_latest_value_target_and_rag(client, permanent_share, manager,
                                                                          viewer, demoshire):
    services.set_target(access_for(manager, demoshire), permanent_share, period="2025-26", value=70)
    services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-26-Q2", value="82")
    client.force_login(viewer)
    text = client.get("/o/demoshire/measures/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["Code"], r["Latest period"], r["Latest value"], r["Target"], r["RAG"]) for r in rows] == [
        ("WF-PERMANENT-SHARE", "2025-26-Q2", "82", "70", "Green")]
    book = load_workbook(io.BytesIO(client.get("/o/demoshire/measures/export.xlsx").content)).active
    header = [c.value for c in book[1]]
    assert book.cell(2, header.index("Latest value") + 1).value == 82
    assert book.cell(2, header.index("Target") + 1).value == 70
    assert AuditEntry.objects.filter(action="measures.list.exported").count() == 2
