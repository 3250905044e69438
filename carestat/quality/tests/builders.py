"""A small world for quality tests: teams, a tool and an uploaded case list."""

from carestat.core import services as core
from carestat.core.models import UnitKind
from carestat.quality import services

QUESTIONS = [
    {"code": "A1", "section": "Assessment quality", "text": "Is the assessment up to date?"},
    {"code": "B1", "section": "Voice of the person", "text": "Are the person's wishes recorded?"},
]


def teams(admin_access):
    from carestat.core.models import Unit

    org = admin_access.organisation
    d = Unit.objects.filter(organisation=org, name="Audited Services").first() or core.add_unit(
        admin_access, name="Audited Services", kind=UnitKind.DIRECTORATE, parent=None)
    return {n: Unit.objects.filter(organisation=org, name=n).first()
            or core.add_unit(admin_access, name=n, kind=UnitKind.TEAM, parent=d)
            for n in ("Locality East", "Locality West")}


def case_list(east=8, west=5, closed_east=2, manager="") -> bytes:
    lines = ["person_id,team,work_type,closed,worker_manager"]
    lines += [f"E{i},Locality East,review,no,{manager}" for i in range(east)]
    lines += [f"EC{i},Locality East,review,yes," for i in range(closed_east)]
    lines += [f"W{i},Locality West,review,no," for i in range(west)]
    return ("\n".join(lines) + "\n").encode()


def tool(access, name="Adults' case file audit"):
    return services.create_tool(access, name=name, questions=QUESTIONS)


def round_(access, tv, title="Q3 adults", seed=11, **kw):
    kw.setdefault("requested", {"Locality East": 4, "Locality West": 2})
    kw.setdefault("case_list", case_list())
    return services.draw_round(access, title=title, tool_version=tv, period="2026-27-Q3", source="upload",
                               stratify_by="team", seed=seed, case_list_name="cases.csv", **kw)
