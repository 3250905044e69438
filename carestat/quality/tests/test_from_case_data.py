"""A round drawn from the case events already loaded: one case per person, their latest team,
closed when every item is completed; the keys are ingest's, so reidentify finds the references."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command

from carestat.casedata import services as casedata
from carestat.quality import services
from carestat.quality.tests.builders import tool

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


def write_events(path):
    # North: P1-P6 open; South: P7-P9 open, P10-P11 closed (completed); P12 moved North -> South (latest)
    rows = [(f"N{i}", f"P{i}", "review", "North", None) for i in range(1, 7)]
    rows += [(f"S{i}", f"P{i}", "review", "South", None) for i in range(7, 10)]
    rows += [(f"S{i}", f"P{i}", "review", "South", "2026-03-10T10:00:00") for i in (10, 11)]
    rows += [("X1", "P12", "review", "North", "2026-02-01T10:00:00")]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", "person_id", "work_type", "team", "priority", "received_at", "first_action_at",
                    "completed_at", "signed_off_at", "outcome"])
        for item, person, kind, team, done in rows:
            w.writerow([item, person, kind, team, "standard", "2026-01-05T09:00:00", "", done or "", "", ""])
        w.writerow(["X2", "P12", "review", "South", "standard", "2026-03-02T09:00:00", "", "", "", ""])
    return path


def test_a_round_from_loaded_case_events_stratifies_excludes_closed_and_reidentifies(manager_access, tmp_path):
    from django.conf import settings

    sub = casedata.ingest(manager_access, [write_events(tmp_path / "events.csv")], format="case_events")
    assert sub.status == "current", sub.rejection_reason
    t = tool(manager_access)
    r = services.draw_round(manager_access, title="From case data", tool_version=t.current, period="2026-27-Q3",
                            stratify_by="team", requested={"North": 4, "South": 3}, seed=5)
    # 12 people; North P1-P6 (6), South P7-P9 and P12 (4, P12's latest item) of which 0 closed;
    # P10 and P11 are closed
    assert r.population == 12 and r.eligible == {"North": 6, "South": 4} and r.excluded["closed"] == 2
    assert {s: r.cases.filter(stratum=s).count() for s in ("North", "South")} == {"North": 4, "South": 3}
    keyer = casedata.pseudonymiser()
    closed = {keyer(p, kind="adult") for p in ("P10", "P11")}
    assert not closed & set(r.cases.values_list("key", flat=True))

    key = settings.PSEUDONYMISATION_KEY
    (tmp_path / "key").write_text(key if isinstance(key, str) else key.decode())
    (tmp_path / "sample.csv").write_text(services.sample_csv(r))
    (tmp_path / "list.csv").write_text("person_id,case_reference\n" + "".join(
        f"P{i},LAS-{i:04d}\n" for i in range(1, 13)))
    out = StringIO()
    call_command("quality", "reidentify", "--case-list", str(tmp_path / "list.csv"), "--key-file",
                 str(tmp_path / "key"), "--sample", str(tmp_path / "sample.csv"), "--json", stdout=out)
    rows = json.loads(out.getvalue())
    refs = {row["case_reference"] for row in rows}
    assert len(refs) == 7 and all(ref.startswith("LAS-") for ref in refs)
    assert not refs & {"LAS-0010", "LAS-0011"}
