"""Risks' rows in the role-by-address access matrix (tests/test_access_matrix.py).

The contributor owns the risk, so they may re-score it; managers (without a unit, so across
the organisation) and admins keep risks and their links; only admins keep the matrix and the
categories; viewers and auditors read."""

import datetime as dt

from carestat.measures import services as measure_services
from carestat.plans import services as plan_services
from carestat.risks import services
from carestat.risks.models import Risk
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}
SCORERS = {"admin", "manager", "contributor"}
MANAGERS = {"admin", "manager"}
ADMINS = {"admin"}
ORG = "/o/demoshire/risks"
A = "/api/v1/organisations/demoshire"


def build(w):
    cast, org = w["cast"], w["org"]
    a = access_for(cast["admin"], org)
    cat = services.add_category(a, name="Workforce", appetite="cautious", max_target_score=8)
    risk = services.create_risk(a, ref="R01", title="Not enough occupational therapists", category=cat,
                                unit=w["ot"], owner=cast["contributor"])
    services.assess(a, risk, kind="current", likelihood=4, impact=4, reason="Two agency OTs left")
    control = services.add_control(a, risk, description="Weekly triage", effectiveness="partly")
    mitigation = services.link_action(a, risk, w["action"])
    measure = measure_services.add_local_measure(a, code="RISK-KRI", title="OTs in post", domain="workforce",
                                                 unit="count", polarity="higher_is_better")
    indicator = services.link_measure(a, risk, measure)
    spare = plan_services.add_action(a, w["objective"], title="Bank OT pool", due=w["action"].due, lead_unit=w["ot"])
    spare_measure = measure_services.add_local_measure(a, code="RISK-KRI-2", title="OT vacancies",
                                                       domain="workforce", unit="count", polarity="lower_is_better")
    w.update(risk_category=cat, risk=risk, control=control, mitigation=mitigation, indicator=indicator,
             spare_action=spare, spare_measure=spare_measure)


def plant(org, admin, mark):
    """A marked category, risk, score and control, for the matrix's check that no list of one
    council's names another's records."""
    a = access_for(admin, org)
    cat = services.add_category(a, name=f"{mark} category", appetite="cautious", max_target_score=8)
    risk = services.create_risk(a, ref=f"{mark[:3]}-R1", title=f"{mark} risk", category=cat,
                                cause=f"{mark} cause", owner=admin)
    services.assess(a, risk, kind="current", likelihood=5, impact=5, reason=f"{mark} reason")
    services.add_control(a, risk, description=f"{mark} control", effectiveness="partly")


def _date(name, day):
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _risk_form(w, **extra):
    return {"ref": "R02", "title": "Provider failure of small care homes", "category": str(w["risk_category"].pk),
            "review_frequency": "quarterly", **extra}


def _r(w, tail=""):
    return f"{ORG}/{w['risk'].pk}/{tail}"


PAGES = [
    ("risks:register", "get", lambda w: f"{ORG}/", ALL, None),
    ("risks:register", "get", lambda w: f"{ORG}/?format=xlsx", ALL, None),
    ("risks:review", "get", lambda w: f"{ORG}/review/", ALL, None),
    ("risks:issues", "get", lambda w: f"{ORG}/issues/", ALL, None),
    ("risks:heatmap", "get", lambda w: f"{ORG}/heatmap/", ALL, None),
    ("risks:export", "get", lambda w: f"{ORG}/export.xlsx", ALL, None),
    ("risks:import", "get", lambda w: f"{ORG}/import/", MANAGERS, None),
    ("risks:import", "post", lambda w: f"{ORG}/import/", MANAGERS, dict),
    ("risks:new", "get", lambda w: f"{ORG}/new/", MANAGERS, None),
    ("risks:new", "post", lambda w: f"{ORG}/new/", MANAGERS, _risk_form),
    ("risks:settings", "get", lambda w: f"{ORG}/settings/", ALL, None),
    ("risks:settings", "post", lambda w: f"{ORG}/settings/", ADMINS,
     lambda w: {"likelihood": "Rare\nUnlikely\nPossible\nLikely\nAlmost certain",
                "impact": "Negligible\nMinor\nModerate\nMajor\nCatastrophic",
                "bands": "Low, 1, green\nMedium, 5, amber\nHigh, 12, red"}),
    ("risks:category_new", "get", lambda w: f"{ORG}/categories/new/", ADMINS, None),
    ("risks:category_new", "post", lambda w: f"{ORG}/categories/new/", ADMINS,
     lambda w: {"name": "Legal", "appetite": "averse", "max_target_score": "4"}),
    ("risks:category_edit", "get", lambda w: f"{ORG}/categories/{w['risk_category'].pk}/edit/", ADMINS, None),
    ("risks:category_edit", "post", lambda w: f"{ORG}/categories/{w['risk_category'].pk}/edit/", ADMINS,
     lambda w: {"name": "Workforce", "appetite": "open", "max_target_score": "12"}),
    ("risks:risk", "get", lambda w: _r(w), ALL, None),
    ("risks:edit", "get", lambda w: _r(w, "edit/"), MANAGERS, None),
    ("risks:edit", "post", lambda w: _r(w, "edit/"), MANAGERS,
     lambda w: _risk_form(w, ref="R01", status="open", version=str(Risk.objects.get(pk=w["risk"].pk).version))),
    ("risks:assess", "get", lambda w: _r(w, "assess/"), SCORERS, None),
    ("risks:assess", "post", lambda w: _r(w, "assess/"), SCORERS,
     lambda w: {"kind": "current", "likelihood": "3", "impact": "4", "reason": "Two OTs recruited"}),
    ("risks:archive", "get", lambda w: _r(w, "archive/"), MANAGERS, None),
    ("risks:archive", "post", lambda w: _r(w, "archive/"), MANAGERS, lambda w: {"reason": "Merged into R05"}),
    ("risks:issue", "get", lambda w: _r(w, "issue/"), MANAGERS, None),
    ("risks:issue", "post", lambda w: _r(w, "issue/"), MANAGERS,
     lambda w: {**_date("occurred_on", dt.date.today()), "note": "The backlog passed 500"}),
    ("risks:control_new", "get", lambda w: _r(w, "controls/new/"), MANAGERS, None),
    ("risks:control_new", "post", lambda w: _r(w, "controls/new/"), MANAGERS,
     lambda w: {"description": "Bank OTs on call", "effectiveness": "effective"}),
    ("risks:control_edit", "get", lambda w: _r(w, f"controls/{w['control'].pk}/edit/"), MANAGERS, None),
    ("risks:control_edit", "post", lambda w: _r(w, f"controls/{w['control'].pk}/edit/"), MANAGERS,
     lambda w: {"description": "Daily triage", "effectiveness": "effective"}),
    ("risks:mitigation_link", "get", lambda w: _r(w, "mitigations/link/"), MANAGERS, None),
    ("risks:mitigation_link", "post", lambda w: _r(w, "mitigations/link/"), MANAGERS,
     lambda w: {"action": str(w["spare_action"].pk)}),
    ("risks:mitigation_create", "get", lambda w: _r(w, "mitigations/create/"), MANAGERS, None),
    ("risks:mitigation_create", "post", lambda w: _r(w, "mitigations/create/"), MANAGERS,
     lambda w: {"objective": str(w["objective"].pk), "title": "OT apprenticeships", "owner": "",
                **_date("due", w["action"].due)}),
    ("risks:mitigation_unlink", "post", lambda w: _r(w, f"mitigations/{w['mitigation'].pk}/remove/"), MANAGERS,
     dict),
    ("risks:indicator_link", "get", lambda w: _r(w, "indicators/link/"), MANAGERS, None),
    ("risks:indicator_link", "post", lambda w: _r(w, "indicators/link/"), MANAGERS,
     lambda w: {"measure": str(w["spare_measure"].pk)}),
    ("risks:indicator_unlink", "post", lambda w: _r(w, f"indicators/{w['indicator'].pk}/remove/"), MANAGERS,
     dict),
]

API = [
    ("get", f"{A}/risks", ALL, None),
    ("get", A + "/risks/{risk.pk}", ALL, None),
    ("get", A + "/risks/{risk.pk}/assessments", ALL, None),
    ("post", f"{A}/risks", MANAGERS, {"ref": "R02", "title": "DoLS backlog", "category": "Workforce"}),
    ("put", A + "/risks/{risk.pk}", MANAGERS, {"ref": "R01", "title": "OT shortage", "category": "Workforce"}),
    ("post", A + "/risks/{risk.pk}/assessments", SCORERS,
     {"kind": "current", "likelihood": 3, "impact": 4, "score": 12, "reason": "Two OTs recruited"}),
    ("post", A + "/risks/{risk.pk}/archive", MANAGERS, {"reason": "Merged into R05"}),
    ("post", A + "/risks/{risk.pk}/issue", MANAGERS, {"occurred_on": "2026-10-01", "note": "Backlog passed 500"}),
    ("post", A + "/risks/{risk.pk}/controls", MANAGERS, {"description": "Bank OTs", "effectiveness": "effective"}),
    ("put", A + "/risks/{risk.pk}/controls/{control.pk}", MANAGERS,
     {"description": "Daily triage", "effectiveness": "effective"}),
    ("post", A + "/risks/{risk.pk}/mitigations/actions/{spare_action.pk}", MANAGERS, None),
    ("post", A + "/risks/{risk.pk}/mitigations/objectives/{objective.pk}", MANAGERS,
     {"title": "OT apprenticeships", "due": "2030-03-31"}),
    ("post", A + "/risks/{risk.pk}/mitigations/{mitigation.pk}/remove", MANAGERS, None),
    ("post", A + "/risks/{risk.pk}/indicators/measures/{spare_measure.pk}", MANAGERS, None),
    ("post", A + "/risks/{risk.pk}/indicators/{indicator.pk}/remove", MANAGERS, None),
    ("get", f"{A}/risk-matrix", ALL, None),
    ("put", f"{A}/risk-matrix", ADMINS,
     {"likelihood": ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
      "impact": ["Negligible", "Minor", "Moderate", "Major", "Catastrophic"],
      "bands": [{"label": "Low", "min_score": 1, "rag": "green"}, {"label": "High", "min_score": 10, "rag": "red"}]}),
    ("get", f"{A}/risk-categories", ALL, None),
    ("post", f"{A}/risk-categories", ADMINS, {"name": "Legal", "appetite": "averse", "max_target_score": 4}),
    ("put", A + "/risk-categories/{risk_category.pk}", ADMINS,
     {"name": "Workforce", "appetite": "open", "max_target_score": 12}),
]
