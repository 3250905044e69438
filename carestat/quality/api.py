"""Quality audits in the JSON API: the same scoped getters, services and read layer as the pages.

An audit's free text (comments, strengths, areas to improve) is given only to the auditors
allocated to the case and to managers and admins; everyone else gets grades only."""

from __future__ import annotations

from ninja import Field, Router, Schema
from ninja.responses import Status

from carestat.core.access import org_access
from carestat.core.api import ERRORS
from carestat.core.models import Membership
from carestat.core.permissions import Perm
from carestat.quality import selectors, services
from carestat.quality.access import get_audit_for_user, get_round_for_user
from carestat.quality.models import ToolVersion

router = Router(tags=["quality"])
P = "/organisations/{slug}/quality"


class QualityQuestionIn(Schema):
    section: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., min_length=1, max_length=500)


class QualityToolIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, pattern=r"\S")
    description: str = ""
    questions: list[QualityQuestionIn] = Field(..., min_length=1)
    scale: list[str] = Field(default_factory=list, description="Grades best first; empty for the default scale")


class QualityToolOut(Schema):
    id: int
    name: str
    version_id: int | None
    version: int | None
    questions: list[dict]
    scale: list[list[str]]


class QualityRoundIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, pattern=r"\S")
    tool_version_id: int
    period: str = Field(..., pattern=r"^[0-9]{4}-[0-9]{2}-Q[1-4]$")
    service: str = "adult"
    stratify_by: str = "team"
    strata: dict[str, int] = Field(default_factory=dict, description="Cases per stratum")
    total: int | None = Field(None, ge=1, le=5000, description="Or: cases shared across strata by size")
    seed: int | None = Field(None, ge=0, le=999_999_999)
    exclude_closed: bool = True
    audited_within_months: int | None = Field(None, ge=1, le=60)
    peer: bool = False
    moderation_percent: int = Field(0, ge=0, le=100)


class QualityProgressOut(Schema):
    cases: int
    allocated: int
    drafts: int
    done: int
    moderations: int
    moderated: int


class QualityRoundOut(Schema):
    id: int
    title: str
    period: str
    service: str
    source: str
    stratify_by: str
    seed: int
    requested: dict[str, int]
    eligible: dict[str, int]
    excluded: dict[str, int]
    population: int
    status: str
    progress: QualityProgressOut


class QualitySampleCaseOut(Schema):
    key: str
    stratum: str
    team: str
    work_type: str
    need: str


class QualityShareOut(Schema):
    good: int
    total: int
    percent: float | None


class QualityQuestionResultOut(Schema):
    code: str
    section: str
    text: str
    counts: dict[str, int]
    share: QualityShareOut
    agreement: QualityShareOut | None


class QualityResultsOut(Schema):
    round_id: int
    overall: QualityShareOut
    by_team: dict[str, QualityShareOut]
    questions: list[QualityQuestionResultOut]
    themes: dict[str, int]


class QualityAllocateIn(Schema):
    auditor_ids: list[int] = Field(..., min_length=1)


class QualityAllocateOut(Schema):
    allocated: int


class QualityAnswerOut(Schema):
    code: str
    grade: str
    comment: str | None


class QualityAuditOut(Schema):
    id: int
    round_id: int
    case_key: str
    kind: str
    auditor: str
    status: str
    version: int
    overall: str
    answers: list[QualityAnswerOut]
    themes: list[str]
    strengths: str | None = Field(None, description="Only for allocated auditors and managers")
    improvements: str | None = Field(None, description="Only for allocated auditors and managers")


class QualityAuditIn(Schema):
    grades: dict[str, str] = Field(default_factory=dict)
    comments: dict[str, str] = Field(default_factory=dict)
    overall: str = ""
    strengths: str = ""
    improvements: str = ""
    themes: list[str] = Field(default_factory=list)
    submit: bool = False
    version: int | None = None


class QualityMeasuresOut(Schema):
    codes: list[str]


def _share(s) -> dict:
    return {"good": s.good, "total": s.total, "percent": float(s.percent) if s.percent is not None else None}


def _tool(t) -> dict:
    v = t.current
    return {"id": t.pk, "name": t.name, "version_id": v.pk if v else None, "version": v.number if v else None,
            "questions": v.questions if v else [], "scale": v.scale if v else []}


def _round(r) -> dict:
    p = selectors.progress(r)
    return {"id": r.pk, "title": r.title, "period": r.period, "service": r.service, "source": r.source,
            "stratify_by": r.stratify_by, "seed": r.seed, "requested": r.requested, "eligible": r.eligible,
            "excluded": r.excluded, "population": r.population, "status": r.status, "progress": p.__dict__}


@router.get(P + "/tools", response={200: list[QualityToolOut], **ERRORS}, summary="Audit tools, current versions")
def tools(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_tool(t) for t in selectors.tools(access.organisation)]


@router.post(P + "/tools", response={201: QualityToolOut, **ERRORS}, summary="Create an audit tool (managers)")
def create_tool(request, slug: str, payload: QualityToolIn):
    access = org_access(request, slug, Perm.VIEW)
    text = "\n".join(f"{q.section} | {q.text}" for q in payload.questions)
    tool = services.create_tool(access, name=payload.name, description=payload.description,
                                questions=services.parse_questions(text),
                                scale=services.parse_scale("\n".join(payload.scale)))
    return Status(201, _tool(tool))


@router.get(P + "/rounds", response={200: list[QualityRoundOut], **ERRORS}, summary="Audit rounds and progress")
def rounds(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_round(r) for r in selectors.rounds(access.organisation)]


@router.post(P + "/rounds", response={201: QualityRoundOut, **ERRORS},
             summary="Draw a round's sample from the loaded case data (managers)")
def draw_round(request, slug: str, payload: QualityRoundIn):
    from django.http import Http404

    access = org_access(request, slug, Perm.VIEW)
    tv = ToolVersion.objects.filter(organisation=access.organisation, pk=payload.tool_version_id).first()
    if tv is None:
        raise Http404("No such tool version")
    r = services.draw_round(access, title=payload.title, tool_version=tv, period=payload.period,
                            service=payload.service, stratify_by=payload.stratify_by, requested=payload.strata or None,
                            total=payload.total, seed=payload.seed, exclude_closed=payload.exclude_closed,
                            audited_within_months=payload.audited_within_months, peer=payload.peer,
                            moderation_percent=payload.moderation_percent)
    return Status(201, _round(r))


@router.get(P + "/rounds/{pk}", response={200: QualityRoundOut, **ERRORS}, summary="A round and its progress")
def round_detail(request, slug: str, pk: int):
    access = org_access(request, slug, Perm.VIEW)
    return _round(get_round_for_user(access, pk))


@router.get(P + "/rounds/{pk}/sample", response={200: list[QualitySampleCaseOut], **ERRORS},
            summary="The sample's pseudonymised keys (managers)")
def sample(request, slug: str, pk: int):
    access = org_access(request, slug, Perm.MANAGE)
    return services.sample_rows(get_round_for_user(access, pk))


@router.get(P + "/rounds/{pk}/results", response={200: QualityResultsOut, **ERRORS},
            summary="Grades of the round's audits: share good or better, by team and question")
def results(request, slug: str, pk: int):
    access = org_access(request, slug, Perm.VIEW)
    res = selectors.round_results(get_round_for_user(access, pk))
    return {"round_id": res.round.pk, "overall": _share(res.overall),
            "by_team": {t: _share(s) for t, s in res.by_team.items()},
            "questions": [{"code": q.code, "section": q.section, "text": q.text, "counts": q.counts,
                           "share": _share(q.share), "agreement": _share(q.agreement) if q.agreement else None}
                          for q in res.questions], "themes": res.themes}


@router.post(P + "/rounds/{pk}/allocate", response={200: QualityAllocateOut, **ERRORS},
             summary="Allocate the round's cases to auditors, with a share to moderate (managers)")
def allocate(request, slug: str, pk: int, payload: QualityAllocateIn):
    from django.http import Http404

    access = org_access(request, slug, Perm.VIEW)
    r = get_round_for_user(access, pk)
    members = {m.user_id: m.user for m in Membership.objects.filter(organisation=access.organisation,
                                                                    user_id__in=payload.auditor_ids)
               .select_related("user")}
    missing = [i for i in payload.auditor_ids if i not in members]
    if missing:
        raise Http404(f"No member {missing[0]}")
    return {"allocated": services.allocate(access, r, auditors=[members[i] for i in payload.auditor_ids])}


@router.post(P + "/rounds/{pk}/measures", response={200: QualityMeasuresOut, **ERRORS},
             summary="Record the round's share good or better as measure values (managers)")
def measures(request, slug: str, pk: int):
    access = org_access(request, slug, Perm.VIEW)
    return {"codes": services.record_measures(access, get_round_for_user(access, pk))}


def _audit(access, a) -> dict:
    text = services.can_see_text(access, a)
    return {"id": a.pk, "round_id": a.round_id, "case_key": a.case.key, "kind": a.kind,
            "auditor": a.auditor.display_name, "status": a.status, "version": a.version, "overall": a.overall,
            "answers": [{"code": x.code, "grade": x.grade, "comment": x.comment if text else None}
                        for x in a.answers.all()],
            "themes": [t.name for t in a.themes.all()],
            "strengths": a.strengths if text else None, "improvements": a.improvements if text else None}


@router.get(P + "/audits/{pk}", response={200: QualityAuditOut, **ERRORS}, summary="One audit")
def audit(request, slug: str, pk: int):
    access = org_access(request, slug, Perm.VIEW)
    return _audit(access, get_audit_for_user(access, pk))


@router.post(P + "/audits/{pk}", response={200: QualityAuditOut, **ERRORS},
             summary="Save the allocated auditor's grades and findings (a draft, or done)")
def save_audit(request, slug: str, pk: int, payload: QualityAuditIn):
    access = org_access(request, slug, Perm.VIEW)
    a = get_audit_for_user(access, pk)
    saved = services.save_audit(access, a, grades=payload.grades, comments=payload.comments, overall=payload.overall,
                                strengths=payload.strengths, improvements=payload.improvements, themes=payload.themes,
                                submit=payload.submit, version=payload.version)
    return _audit(access, get_audit_for_user(access, saved.pk))

