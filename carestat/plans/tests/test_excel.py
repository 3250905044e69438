import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from carestat.core.models import AuditEntry
from carestat.plans import excel, services
from carestat.plans.models import Action, Milestone, Plan
from carestat.plans.progress import plan_tree
from conftest import access_for

D = dt.timedelta


def _shape(plan):
    tree = plan_tree(plan)
    out = [(plan.kind, plan.description, plan.owner_unit_id, plan.start, plan.end)]
    for p in tree.priorities:
        out.append(p.priority.title)
        for o in p.objectives:
            out.append(o.objective.statement)
            for a in o.actions:
                x = a.action
                out.append((x.title, x.owner_id, x.lead_unit_id, x.bau_or_change, x.phase, x.start, x.due,
                            sorted(s.statement for s in x.also_serves.all())))
                out += [(m.milestone.title, m.milestone.baseline_date, m.milestone.forecast_date,
                         m.milestone.actual_date) for m in a.milestones]
    return out


def test_export_then_import_into_a_new_plan_preserves_the_plan(world):
    admin = access_for(world["cast"]["admin"], world["org"])
    m1 = world["m1"]
    services.redate_milestone(admin, m1, new_date=m1.baseline_date + D(20), reason="Agency delayed")
    services.complete_milestone(admin, world["m2"], actual_date=dt.date.today())
    second = services.add_objective(admin, world["priority"], statement="Carers get a timely assessment")
    world["action"].also_serves.add(second)
    content = excel.export_plan(admin, world["plan"])
    assert AuditEntry.objects.filter(action="plans.plan.exported", record_id=str(world["plan"].pk)).exists()
    copy = excel.import_plan(admin, content, filename="export.xlsx", title="Copy of the improvement plan")
    assert copy.pk != world["plan"].pk
    assert _shape(copy) == _shape(world["plan"])
    reasons = list(Milestone.objects.filter(action__objective__priority__plan=copy, title=m1.title)
                   .values_list("date_changes__reason", flat=True))
    assert reasons == ["Revised date as imported from export.xlsx"]


HYPERLINK = '=HYPERLINK("http://x","y")'


def test_a_title_that_looks_like_a_formula_is_exported_as_text_and_imports_as_it_was(world):
    admin = access_for(world["cast"]["admin"], world["org"])
    services.update_plan(admin, world["plan"], kind=world["plan"].kind, title=HYPERLINK, start=world["plan"].start,
                         end=world["plan"].end, description="@SUM(A1:A9)", owner_unit=world["plan"].owner_unit)
    services.rename_milestone(admin, world["m1"], title="-2+3")
    content = excel.export_plan(admin, Plan.objects.get(pk=world["plan"].pk))
    wb = load_workbook(io.BytesIO(content))
    title, description = wb["Plan"]["B2"], wb["Plan"]["B4"]
    assert title.data_type == "s" and title.value == "'" + HYPERLINK
    assert description.data_type == "s" and description.value == "'@SUM(A1:A9)"
    assert wb["Milestones"]["C2"].value == "'-2+3"
    copy = excel.import_plan(admin, content, filename="export.xlsx", title="Copy of the plan")
    assert copy.description == "@SUM(A1:A9)"
    assert Milestone.objects.filter(action__objective__priority__plan=copy, title="-2+3").exists()


def _with_bad_date_on_row_7(content):
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Milestones"]
    for i in range(5):  # rows 3 to 7
        ws.append([f"X{i}", "A1", f"Extra milestone {i}", dt.date(2026, 1, 5), None, None])
    ws.cell(row=7, column=4).value = "31/13/2025"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_bad_date_on_row_7_is_rejected_naming_row_and_column_and_nothing_is_imported(world):
    admin = access_for(world["cast"]["admin"], world["org"])
    content = _with_bad_date_on_row_7(excel.export_plan(admin, world["plan"]))
    plans, actions = Plan.objects.count(), Action.objects.count()
    with pytest.raises(excel.WorkbookInvalid) as exc:
        excel.import_plan(admin, content, title="Another copy")
    assert [str(p) for p in exc.value.problems] == [
        "Milestones row 7, column 'Baseline date': '31/13/2025' is not a date; write it as 31/03/2026"]
    assert (Plan.objects.count(), Action.objects.count()) == (plans, actions)


def test_the_import_page_lists_row_errors_and_imports_nothing(client, world):
    admin = access_for(world["cast"]["admin"], world["org"])
    content = _with_bad_date_on_row_7(excel.export_plan(admin, world["plan"]))
    client.force_login(world["cast"]["manager"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/o/demoshire/plans/import/", {"workbook": SimpleUploadedFile("plan.xlsx", content)})
    html = r.content.decode()
    assert r.status_code == 200 and "Milestones row 7, column &#39;Baseline date&#39;" in html
    assert Plan.objects.count() == 1


def test_importing_a_workbook_with_an_existing_title_names_the_plan_sheet(world):
    admin = access_for(world["cast"]["admin"], world["org"])
    with pytest.raises(excel.WorkbookInvalid) as exc:
        excel.import_plan(admin, excel.export_plan(admin, world["plan"]))
    assert "Plan row 2, column 'Value': a plan called" in str(exc.value.problems[0])


def test_the_template_imports_once_its_owner_and_unit_exist(world):
    admin = access_for(world["cast"]["admin"], world["org"])
    with pytest.raises(excel.WorkbookInvalid) as exc:
        excel.import_plan(admin, excel.template_workbook())
    assert any("Owner email" in str(p) for p in exc.value.problems)


def test_a_contributor_cannot_import(world):
    from carestat.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        excel.import_plan(access_for(world["cast"]["contributor"], world["org"]), excel.template_workbook())
