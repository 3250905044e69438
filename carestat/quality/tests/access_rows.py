"""Quality's rows in the role-by-address access matrix (tests/test_access_matrix.py).

Everyone in the organisation reads tools, rounds, results and themes (grades, not free text);
managers and admins keep tools, draw and allocate rounds, export the sample's keys, record the
measures and turn findings into actions; the allocated auditor fills in an audit."""

from django.core.files.uploadedfile import SimpleUploadedFile

from carestat.core.models import Membership
from carestat.quality import services
from carestat.quality.models import AuditKind, CaseAudit
from carestat.quality.tests.builders import QUESTIONS, case_list, round_, teams
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
MANAGERS = {"admin", "manager"}
ORG = "/o/demoshire/quality"
A = "/api/v1/organisations/demoshire/quality"


def build(w):
    admin = access_for(w["cast"]["admin"], w["org"])
    manager = access_for(w["cast"]["manager"], w["org"])
    teams(admin)
    tool = services.create_tool(manager, name="Matrix audit tool", questions=QUESTIONS)
    w["qa_tool"] = tool
    w["qa_tv"] = tool.current
    w["qa_round"] = round_(manager, tool.current, title="Matrix round")
    w["qa_round2"] = round_(manager, tool.current, title="Matrix round two")
    contributor = w["cast"]["contributor"]
    services.allocate(manager, w["qa_round"], auditors=[contributor])
    w["qa_audit"] = CaseAudit.objects.filter(round=w["qa_round"], kind=AuditKind.AUDIT).first()


def _audit_post(w):
    return {"op": "draft", "grade_A1": "good", "version": str(CaseAudit.objects.get(pk=w["qa_audit"].pk).version)}


PAGES = [
    ("quality:rounds", "get", lambda w: f"{ORG}/", ALL, None),
    ("quality:rounds", "post", lambda w: f"{ORG}/", MANAGERS,
     lambda w: {"title": "Posted round", "tool_version": str(w["qa_tv"].pk), "period": "2026-27-Q3",
                "service": "adult", "source": "upload", "stratify_by": "team", "strata": "Locality West: 1",
                "seed": "5", "exclude_closed": "on", "moderation_percent": "0",
                "case_list": SimpleUploadedFile("cases.csv", case_list(), "text/csv")}),
    ("quality:tools", "get", lambda w: f"{ORG}/tools/", ALL, None),
    ("quality:tools", "post", lambda w: f"{ORG}/tools/", MANAGERS,
     lambda w: {"name": "Children's audit", "questions": "Voice of the child | Is the child seen alone?"}),
    ("quality:tool", "get", lambda w: f"{ORG}/tools/{w['qa_tool'].pk}/", ALL, None),
    ("quality:tool", "post", lambda w: f"{ORG}/tools/{w['qa_tool'].pk}/", MANAGERS,
     lambda w: {"questions": "Risk analysis | Is risk analysed?", "note": "One question"}),
    ("quality:round", "get", lambda w: f"{ORG}/rounds/{w['qa_round'].pk}/", ALL, None),
    ("quality:round", "post", lambda w: f"{ORG}/rounds/{w['qa_round2'].pk}/", MANAGERS,
     lambda w: {"op": "allocate", "a-auditors": [str(w["cast"]["contributor"].pk)]}),
    ("quality:sample", "get", lambda w: f"{ORG}/rounds/{w['qa_round'].pk}/sample.csv", MANAGERS, None),
    ("quality:results", "get", lambda w: f"{ORG}/rounds/{w['qa_round'].pk}/results/", ALL, None),
    ("quality:audit", "get", lambda w: f"{ORG}/audits/{w['qa_audit'].pk}/", ALL, None),
    ("quality:audit", "post", lambda w: f"{ORG}/audits/{w['qa_audit'].pk}/", {"contributor"}, _audit_post),
    ("quality:themes", "get", lambda w: f"{ORG}/themes/", ALL, None),
]

API = [
    ("get", f"{A}/tools", ALL, None),
    ("post", f"{A}/tools", MANAGERS, {"name": "API tool", "questions": [{"section": "Risk", "text": "Analysed?"}]}),
    ("get", f"{A}/rounds", ALL, None),
    ("get", A + "/rounds/{qa_round.pk}", ALL, None),
    ("get", A + "/rounds/{qa_round.pk}/sample", MANAGERS, None),
    ("get", A + "/rounds/{qa_round.pk}/results", ALL, None),
    ("get", A + "/audits/{qa_audit.pk}", ALL, None),
    # only the allocated auditor (the contributor here) fills in an audit; managers read it
    ("post", A + "/audits/{qa_audit.pk}", {"contributor"}, {"grades": {"A1": "good"}}),
]


def plant(org, admin, mark):
    """A marked audit tool and theme, for the matrix's check that no list of one council's names
    another's records."""
    a = access_for(admin, org)
    Membership.objects.get(user=admin, organisation=org)
    services.create_tool(a, name=f"{mark} audit tool", questions=QUESTIONS)
    services.theme(a, f"{mark} theme")
