"""Business operations on case-file quality audits: tools and their versions, rounds (the
sample), allocation and moderation, saving audits, themes, findings that become plan actions,
and the audit measures written to the measures app.

Each is transactional, checks the actor's role, records one audit entry in words and raises a
typed error from carestat.core.errors. Managers and admins keep tools and rounds; the auditor
allocated to an audit (a member who may contribute) fills it in. A round whose quarter is
closed is frozen. Person identifiers never pass through here: cases are pseudonymised keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from carestat.analytics import quality as calc
from carestat.analytics.periods import PeriodError, parse_period
from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.changes import require_same_organisation, stamp, stamp_versioned
from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import Membership, Role, Unit, UnitKind, User
from carestat.core.permissions import Perm
from carestat.quality.models import (
    AuditAnswer,
    AuditKind,
    AuditRound,
    AuditStatus,
    AuditTool,
    CaseAudit,
    FindingAction,
    RoundStatus,
    SampledCase,
    Service,
    Source,
    StratifyBy,
    Theme,
    ToolVersion,
)

MAX_SEED = 10**9
MEASURE_CODE = "QA-GOOD"
METHOD = "quality-share-good v1"


def _refuse_closed(round_: AuditRound, what: str) -> None:
    p = parse_period(round_.period)
    core_services.refuse_if_closed(round_.organisation, p.start, p.end, what=round_.period,
                                   frozen=f"{what} cannot be changed", field=None)


# Tools ------------------------------------------------------------------------------------

def parse_questions(text: str) -> list[dict]:
    """Questions written one a line as ``Section | Question``, numbered in order (A1, A2, B1 ...
    by section). A line without a section joins the last section named."""
    questions: list[dict] = []
    sections: list[str] = []
    section = ""
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            section, _, question = (s.strip() for s in line.partition("|"))
        else:
            question = line
        if not section:
            raise InvalidInput(f"Line {n}: start with the section, like ‘Risk analysis | Is risk analysed?’",
                               field="questions")
        if not question:
            raise InvalidInput(f"Line {n}: write the question after the ‘|’", field="questions")
        if section not in sections:
            sections.append(section)
        letter = chr(ord("A") + sections.index(section)) if len(sections) <= 26 else f"S{sections.index(section)}"
        number = sum(1 for q in questions if q["section"] == section) + 1
        questions.append({"code": f"{letter}{number}", "section": section, "text": question[:500]})
    if not questions:
        raise InvalidInput("Write at least one question, like ‘Voice of the person | Are their wishes recorded?’",
                           field="questions")
    return questions


def questions_text(questions: list[dict]) -> str:
    return "\n".join(f"{q['section']} | {q['text']}" for q in questions)


def parse_scale(text: str | None) -> list[list[str]]:
    """Grades one a line (best first); empty gives the default scale."""
    labels = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not labels:
        return [list(g) for g in calc.DEFAULT_SCALE]
    if len(labels) < 2:
        raise InvalidInput("A scale needs at least two grades, best first", field="scale")
    out = []
    for label in labels:
        value = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
        if not value or value in [v for v, _ in out]:
            raise InvalidInput(f"Each grade needs its own name (‘{label}’ is repeated or blank)", field="scale")
        out.append([value, label[:80]])
    return out


def _check_questions(questions) -> list[dict]:
    if not questions:
        raise InvalidInput("Write at least one question", field="questions")
    codes = [q.get("code") for q in questions]
    if len(set(codes)) != len(codes):
        raise InvalidInput("Each question needs its own code", field="questions")
    for q in questions:
        if not q.get("section") or not q.get("text"):
            raise InvalidInput("Each question needs a section and its text", field="questions")
    return [{"code": str(q["code"]), "section": str(q["section"]), "text": str(q["text"])} for q in questions]


@transaction.atomic
def create_tool(access: Access, *, name: str, questions: list[dict], scale: list[list[str]] | None = None,
                description: str = "") -> AuditTool:
    """A new audit tool with its first version."""
    access.require(Perm.MANAGE)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the tool's name", field="name")
    if AuditTool.objects.filter(organisation=access.organisation, name__iexact=name).exists():
        raise Conflict(f"There is already an audit tool called ‘{name}’", field="name")
    questions = _check_questions(questions)
    scale = scale or [list(g) for g in calc.DEFAULT_SCALE]
    tool = AuditTool(organisation=access.organisation, name=name, description=(description or "").strip())
    stamp(tool, access.user, new=True)
    tool.save()
    version = ToolVersion(organisation=access.organisation, tool=tool, number=1, questions=questions, scale=scale)
    stamp(version, access.user, new=True)
    version.save()
    log_action("quality.tool.created", actor=access.user, organisation=access.organisation, record=tool,
               after={"name": name, "questions": len(questions), "scale": [label for _, label in scale]},
               message=f"{access.user.display_name} created audit tool ‘{name}’ with {len(questions)} questions, "
               f"graded {' / '.join(label for _, label in scale)}")
    return tool


@transaction.atomic
def revise_tool(access: Access, tool: AuditTool, *, questions: list[dict], scale: list[list[str]] | None = None,
                note: str = "") -> ToolVersion:
    """A new version of ``tool``. Earlier versions are kept unchanged, so rounds that used them
    still show the questions their auditors answered."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, tool)
    tool = AuditTool.objects.select_for_update().get(pk=tool.pk)
    last = tool.versions.order_by("-number").first()
    questions = _check_questions(questions)
    scale = scale or (last.scale if last else [list(g) for g in calc.DEFAULT_SCALE])
    if last and last.questions == questions and last.scale == scale:
        raise InvalidInput("Nothing has changed from the current version", field="questions")
    version = ToolVersion(organisation=access.organisation, tool=tool, number=(last.number if last else 0) + 1,
                          questions=questions, scale=scale, note=(note or "").strip()[:300])
    stamp(version, access.user, new=True)
    version.save()
    fields = stamp(tool, access.user)
    tool.save(update_fields=fields)
    log_action("quality.tool.revised", actor=access.user, organisation=access.organisation, record=tool,
               before={"version": last.number if last else None}, after={"version": version.number},
               message=f"{access.user.display_name} made version {version.number} of audit tool ‘{tool.name}’"
               + (f": {version.note}" if version.note else ""))
    return version


# Populations ------------------------------------------------------------------------------

def population_from_casedata(org) -> list[calc.Case]:
    """One case per person in the loaded case events (pseudonymised keys): the team and work
    type of their latest item; closed when every item of theirs is completed."""
    from carestat.casedata.stores import reading

    with reading(org) as store:
        if store is None:
            raise InvalidInput("No case data has been loaded yet; load a case-event file or upload a case list",
                               field="source")
        rows = store.con.execute(
            "SELECT person_key, arg_max(team, received_at), arg_max(work_type, received_at), "
            "bool_and(completed_at IS NOT NULL) FROM current_case_events WHERE person_key IS NOT NULL "
            "GROUP BY person_key ORDER BY person_key").fetchall()
    if not rows:
        raise InvalidInput("No case events have been loaded yet; load a case-event file or upload a case list",
                           field="source")
    return [calc.Case(key=k, team=t or "", work_type=w or "", closed=bool(c)) for k, t, w, c in rows]


def organisation_teams(org) -> list[str]:
    return list(Unit.objects.filter(organisation=org, kind=UnitKind.TEAM, is_archived=False)
                .values_list("name", flat=True))


def population_from_upload(org, content: bytes, filename: str, service: str) -> list[calc.Case]:
    from carestat.casedata.services import pseudonymiser

    try:
        return calc.read_case_list(content, filename, teams=organisation_teams(org), keyer=pseudonymiser(),
                                   kind=service)
    except calc.CaseListInvalid as exc:
        raise CaseListRefused(exc.problems) from None


class CaseListRefused(InvalidInput):
    """An uploaded case list with problems: nothing is stored; ``problems`` name row and column."""

    def __init__(self, problems):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"Nothing was drawn: {shown}{more}", field="case_list")


def last_audited(org, *, excluding: AuditRound | None = None) -> dict[str, dt.date]:
    """When each key was last drawn for audit, from the organisation's earlier rounds."""
    out: dict[str, dt.date] = {}
    rows = SampledCase.objects.filter(organisation=org).values_list("key", "round__drawn_on", "round_id")
    for key, day, rid in rows:
        if excluding is not None and rid == excluding.pk:
            continue
        if key not in out or day > out[key]:
            out[key] = day
    return out


def _requested(requested: dict[str, int] | None, total: int | None, population, stratify_by) -> dict[str, int]:
    if requested:
        clean = {}
        for s, n in requested.items():
            try:
                n = int(n)
            except (TypeError, ValueError):
                raise InvalidInput(f"Enter a whole number of cases for ‘{s}’", field="strata") from None
            clean[str(s)] = n
        return clean
    if not total or total < 1:
        raise InvalidInput("Enter how many cases to draw", field="total")
    strata = calc.strata_of(population, stratify_by)
    return calc.proportional(dict(sorted(strata.items())), total)


@transaction.atomic
def draw_round(access: Access, *, title: str, tool_version: ToolVersion, period: str, service: str = Service.ADULTS,
               source: str = Source.CASEDATA, stratify_by: str = StratifyBy.TEAM,
               requested: dict[str, int] | None = None, total: int | None = None, seed: int | None = None,
               exclude_closed: bool = True, audited_within_months: int | None = None, peer: bool = False,
               moderation_percent: int = 0, case_list: bytes | None = None, case_list_name: str = "",
               drawn_on: dt.date | None = None) -> AuditRound:
    """Draw a round's sample: stratified, random, reproducible from its seed (a new seed is
    chosen and shown when none is given). ``requested`` gives cases per stratum; or ``total``
    shares that many across strata in proportion to their size. Nothing is stored when the
    draw cannot be made as asked."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, tool_version)
    org = access.organisation
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Enter the round's title", field="title")
    if AuditRound.objects.filter(organisation=org, title__iexact=title).exists():
        raise Conflict(f"There is already a round called ‘{title}’", field="title")
    try:
        p = parse_period((period or "").strip())
    except PeriodError:
        p = None
    if p is None or p.kind.value != "quarter":
        raise InvalidInput(f"‘{period}’ is not a quarter; write it like 2026-27-Q3", field="period")
    if service not in Service.values:
        raise InvalidInput("Choose adults' or children's services", field="service")
    if source not in Source.values:
        raise InvalidInput("Choose where the cases come from", field="source")
    if stratify_by not in StratifyBy.values:
        raise InvalidInput("Choose how to stratify the sample", field="stratify_by")
    if not 0 <= int(moderation_percent or 0) <= 100:
        raise InvalidInput("The share to moderate is a percentage from 0 to 100", field="moderation_percent")
    if audited_within_months is not None and not 1 <= int(audited_within_months) <= 60:
        raise InvalidInput("Give the months as a whole number from 1 to 60", field="audited_within_months")
    core_services.refuse_if_closed(org, p.start, p.end, what=p.label, frozen="a round in it cannot be drawn",
                                   field="period")
    drawn_on = drawn_on or timezone.localdate()
    sha = ""
    if source == Source.UPLOAD:
        if not case_list:
            raise InvalidInput("Choose the case list to upload", field="case_list")
        population = population_from_upload(org, case_list, case_list_name or "case list", service)
        sha = hashlib.sha256(case_list).hexdigest()
    else:
        population = population_from_casedata(org)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    if not 0 <= int(seed) < MAX_SEED:
        raise InvalidInput(f"The seed is a whole number from 0 to {MAX_SEED - 1}", field="seed")
    asked = _requested(requested, total, population, stratify_by)
    exclusions = calc.Exclusions(closed=bool(exclude_closed), audited_within_months=audited_within_months)
    try:
        sample = calc.draw_sample(population, stratify_by=stratify_by, requested=asked, seed=int(seed),
                                  exclusions=exclusions, last_audited=last_audited(org), as_of=drawn_on)
    except calc.SampleError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    round_ = AuditRound(
        organisation=org, title=title, tool_version=tool_version, period=p.label, service=service, source=source,
        stratify_by=stratify_by, requested=sample.requested, eligible=sample.eligible, excluded=sample.excluded,
        population=sample.population, seed=int(seed), exclude_closed=bool(exclude_closed),
        audited_within_months=audited_within_months, drawn_on=drawn_on, peer=bool(peer),
        moderation_percent=int(moderation_percent or 0), upload_name=(case_list_name or "")[:255] if sha else "",
        upload_sha256=sha)
    stamp(round_, access.user, new=True)
    round_.save()
    SampledCase.objects.bulk_create([
        SampledCase(organisation=org, round=round_, key=c.key, stratum=s, team=c.team, work_type=c.work_type,
                    need=c.need, manager=c.manager) for s, c in sample.cases])
    strata = ", ".join(f"{s} {n}" for s, n in sample.requested.items())
    log_action("quality.round.drawn", actor=access.user, organisation=org, record=round_,
               after={"seed": round_.seed, "requested": sample.requested, "excluded": sample.excluded,
                      "population": sample.population, "source": source, "upload_sha256": sha},
               message=f"{access.user.display_name} drew round ‘{title}’ for {p.label}: {len(sample.cases)} cases "
               f"from {sample.population} by {StratifyBy(stratify_by).label.lower()} ({strata}), seed {round_.seed}")
    return round_


def sample_rows(round_: AuditRound) -> list[dict[str, str]]:
    return [{"key": c.key, "stratum": c.stratum, "team": c.team, "work_type": c.work_type, "need": c.need,
             "service": round_.service} for c in round_.cases.all()]


SAMPLE_COLUMNS = ("key", "stratum", "team", "work_type", "need", "service")


def sample_csv(round_: AuditRound) -> str:
    """The sample's keys (no identifiers), for ``carestat quality reidentify`` at the council."""
    return calc.sample_csv(sample_rows(round_), SAMPLE_COLUMNS)


# Allocation -------------------------------------------------------------------------------

def eligible_auditors(org) -> list[Membership]:
    return list(Membership.objects.filter(organisation=org, is_active=True,
                                          role__in=[Role.CONTRIBUTOR, Role.MANAGER, Role.ADMIN])
                .select_related("user", "unit"))


def _auditor(m: Membership) -> calc.Auditor:
    unit = m.unit.name if m.unit else ""
    return calc.Auditor(id=m.user_id, email=m.user.email or m.user.username, team=unit,
                        manages=unit if m.role in (Role.MANAGER, Role.ADMIN) else "")


@transaction.atomic
def allocate(access: Access, round_: AuditRound, *, auditors: list[User]) -> int:
    """Give each unallocated case of the round to an auditor who is not its worker's manager
    (nor, in a peer round, in its team), and a share of them to a second auditor to moderate.
    Returns how many audits were allocated."""
    access.require(Perm.MANAGE)
    require_same_organisation(access, round_)
    round_ = AuditRound.objects.select_for_update().get(pk=round_.pk)
    _refuse_closed(round_, "Its allocations")
    if round_.status == RoundStatus.CLOSED:
        raise Conflict("The round is closed; reopen it first")
    members = {m.user_id: m for m in eligible_auditors(access.organisation)}
    chosen = []
    for user in auditors:
        if user.pk not in members:
            raise InvalidInput(f"{user.display_name} is not a member who may audit (contributor, manager or admin)",
                               field="auditors")
        chosen.append(_auditor(members[user.pk]))
    cases = [c for c in round_.cases.all() if not c.audits.exists()]
    if not cases:
        raise Conflict("Every case of the round is already allocated", field="auditors")
    as_cases = [calc.Case(key=c.key, team=c.team, work_type=c.work_type, need=c.need, manager=c.manager)
                for c in cases]
    try:
        primary, moderation = calc.allocate(as_cases, chosen, peer=round_.peer,
                                            moderation_percent=round_.moderation_percent, seed=round_.seed)
    except calc.SampleError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    users = {u.pk: u for u in auditors}
    made = []
    for case in cases:
        made.append(CaseAudit(organisation=access.organisation, round=round_, case=case, kind=AuditKind.AUDIT,
                              auditor=users[primary[case.key]], created_by=access.user, changed_by=access.user))
        if case.key in moderation:
            made.append(CaseAudit(organisation=access.organisation, round=round_, case=case,
                                  kind=AuditKind.MODERATION, auditor=users[moderation[case.key]],
                                  created_by=access.user, changed_by=access.user))
    CaseAudit.objects.bulk_create(made)
    log_action("quality.round.allocated", actor=access.user, organisation=access.organisation, record=round_,
               after={"audits": len(primary), "moderations": len(moderation),
                      "auditors": [u.display_name for u in auditors]},
               message=f"{access.user.display_name} allocated {len(primary)} audits of round ‘{round_.title}’ to "
               f"{len(auditors)} auditor{'s' if len(auditors) != 1 else ''}, {len(moderation)} to be moderated")
    return len(primary)


# Audits -----------------------------------------------------------------------------------

def can_see_text(access: Access, audit: CaseAudit) -> bool:
    """An audit's free text is for the auditor allocated to it (or to its moderation) and for
    managers and admins; other members see grades only."""
    if access.organisation.pk != audit.organisation_id:
        return False
    if access.can(Perm.MANAGE):
        return True
    return CaseAudit.objects.filter(case_id=audit.case_id, auditor_id=access.user.pk).exists()


def theme(access: Access, name: str) -> Theme:
    name = (name or "").strip()[:120]
    found = Theme.objects.filter(organisation=access.organisation, name__iexact=name).first()
    if found:
        return found
    t = Theme(organisation=access.organisation, name=name)
    stamp(t, access.user, new=True)
    t.save()
    return t


@transaction.atomic
def save_audit(access: Access, audit: CaseAudit, *, grades: dict[str, str], comments: dict[str, str] | None = None,
               overall: str = "", strengths: str = "", improvements: str = "", themes: list[str] = (),
               submit: bool = False, version: int | None = None) -> CaseAudit:
    """Save the allocated auditor's grades and findings: a draft, or (``submit``) done, when
    every question and the overall grade must be graded. A grade must be on the tool's scale."""
    access.require(Perm.CONTRIBUTE)
    require_same_organisation(access, audit)
    audit = CaseAudit.objects.select_for_update().select_related("round__tool_version", "case").get(pk=audit.pk)
    if audit.auditor_id != access.user.pk:
        raise NotAllowed("Only the auditor allocated to this audit can fill it in")
    if version is not None and version != audit.version:
        raise Conflict("Someone saved this audit since you opened it; reload it and make your changes again")
    round_ = audit.round
    _refuse_closed(round_, "Its audits")
    if round_.status == RoundStatus.CLOSED:
        raise Conflict("The round is closed")
    if audit.status == AuditStatus.SUBMITTED:
        raise Conflict("This audit is done and can no longer be changed")
    tv = round_.tool_version
    scale = tv.scale_values
    codes = [q["code"] for q in tv.questions]
    comments = comments or {}
    unknown = sorted(set(grades) - set(codes))
    if unknown:
        raise InvalidInput(f"Question {unknown[0]} is not in {tv}", field=f"grade_{unknown[0]}")
    for code, grade in grades.items():
        if grade and grade not in scale:
            raise InvalidInput(f"‘{grade}’ is not a grade on this tool's scale "
                               f"({', '.join(label for _, label in tv.scale)})", field=f"grade_{code}")
    if overall and overall not in scale:
        raise InvalidInput(f"‘{overall}’ is not a grade on this tool's scale", field="overall")
    if submit:
        missing = [c for c in codes if not grades.get(c)]
        if missing:
            raise InvalidInput(f"Grade every question before marking the audit done ({missing[0]} has no grade); "
                               "or save it as a draft", field=f"grade_{missing[0]}")
        if not overall:
            raise InvalidInput("Give the overall grade before marking the audit done", field="overall")
    before = {"status": audit.status, "overall": audit.overall}
    existing = {a.code: a for a in audit.answers.all()}
    for code in codes:
        g, c = grades.get(code, "") or "", (comments.get(code, "") or "").strip()
        a = existing.get(code)
        if a is None:
            if g or c:
                AuditAnswer.objects.create(organisation=access.organisation, audit=audit, code=code, grade=g, comment=c)
        elif (a.grade, a.comment) != (g, c):
            a.grade, a.comment = g, c
            a.save(update_fields=["grade", "comment"])
    audit.overall = overall or ""
    audit.strengths = (strengths or "").strip()
    audit.improvements = (improvements or "").strip()
    audit.status = AuditStatus.SUBMITTED if submit else AuditStatus.DRAFT
    fields = ["overall", "strengths", "improvements", "status"]
    if submit:
        audit.submitted_at = timezone.now()
        fields.append("submitted_at")
    fields += stamp_versioned(audit, access.user)
    audit.save(update_fields=fields)
    audit.themes.set([theme(access, t) for t in themes if (t or "").strip()])
    done = "marked done" if submit else "saved a draft of"
    log_action(f"quality.audit.{'submitted' if submit else 'drafted'}", actor=access.user,
               organisation=access.organisation, record=audit, before=before,
               after={"status": audit.status, "overall": audit.overall,
                      "grades": len([g for g in grades.values() if g])},
               message=f"{access.user.display_name} {done} the {audit.get_kind_display().lower()} of case "
               f"{audit.case.key} in round ‘{round_.title}’")
    return audit


@transaction.atomic
def close_round(access: Access, round_: AuditRound) -> AuditRound:
    access.require(Perm.MANAGE)
    require_same_organisation(access, round_)
    round_ = AuditRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        return round_
    round_.status = RoundStatus.CLOSED
    round_.save(update_fields=["status", *stamp(round_, access.user)])
    log_action("quality.round.closed", actor=access.user, organisation=access.organisation, record=round_,
               before={"status": "open"}, after={"status": "closed"},
               message=f"{access.user.display_name} closed round ‘{round_.title}’")
    return round_


# Measures ---------------------------------------------------------------------------------

def team_code(team: str) -> str:
    return (MEASURE_CODE + "-" + re.sub(r"[^A-Z0-9]+", "-", team.upper()).strip("-"))[:40]


def _measure(access: Access, code: str, title: str):
    from carestat.measures import services as measures
    from carestat.measures.models import Measure

    found = Measure.objects.filter(organisation=access.organisation, code=code).first()
    if found:
        return found
    return measures.add_local_measure(
        access, code=code, title=title, domain="quality", unit="percent", polarity="higher_is_better",
        numerator="Audits done in the quarter graded good or outstanding overall",
        denominator="Audits done in the quarter (moderations not counted)",
        notes="From case-file audits in CareStat's quality app: a random, stratified sample each round.")


@transaction.atomic
def record_measures(access: Access, round_: AuditRound) -> list[str]:
    """Write the round's share graded good or better (overall grade of each audit done; a
    moderation does not count twice) as measure values for its quarter: QA-GOOD for the
    service (QA-GOOD-ADULTS or QA-GOOD-CHILDREN, so two rounds of a quarter never overwrite each
    other) and QA-GOOD-<TEAM> per team, entered through the measures app's services, with
    the round, its seed and the method named in the value's note. Returns the codes written."""
    from carestat.measures import services as measures
    from carestat.quality.selectors import round_results

    access.require(Perm.MANAGE)
    require_same_organisation(access, round_)
    results = round_results(round_)
    if not results.overall.total:
        raise InvalidInput("No audit of this round is done yet, so there is nothing to record", field=None)
    note = (f"From case-file audit round ‘{round_.title}’ (seed {round_.seed}, {round_.cases.count()} cases "
            f"sampled; method {METHOD})")
    written = []
    whole = f"{MEASURE_CODE}-{'ADULTS' if round_.service == Service.ADULTS else 'CHILDREN'}"
    label = "adults'" if round_.service == Service.ADULTS else "children's"
    for code, title, share in [(whole, f"{label.capitalize()} case files audited graded good or better",
                                results.overall)] + [
            (team_code(team), f"Case files audited graded good or better: {team}", s)
            for team, s in results.by_team.items()]:
        if not share.total:
            continue
        m = _measure(access, code, title)
        current = m.values.filter(period=round_.period).first()
        if current and current.numerator == share.good and current.denominator == share.total:
            continue
        measures.enter_value(access, m, period=round_.period, numerator=Decimal(share.good),
                             denominator=Decimal(share.total), note=note,
                             reason=f"Recomputed from audit round ‘{round_.title}’" if current else "")
        written.append(code)
    log_action("quality.round.measured", actor=access.user, organisation=access.organisation, record=round_,
               after={"codes": written, "good": results.overall.good, "total": results.overall.total},
               message=f"{access.user.display_name} recorded round ‘{round_.title}’ as measure values for "
               f"{round_.period}: {results.overall.good} of {results.overall.total} audits good or better")
    return written


# Findings into plan actions ---------------------------------------------------------------

@transaction.atomic
def action_from_finding(access: Access, round_: AuditRound, *, objective, title: str, due: dt.date, finding: str,
                        theme_name: str = "", audit: CaseAudit | None = None, owner: User | None = None,
                        lead_unit: Unit | None = None) -> FindingAction:
    """Create a plan action (through the plans app's services) from an audit finding and keep
    the link, so the plan shows what the audits found and the round what was done about it."""
    from carestat.plans import services as plans

    access.require(Perm.MANAGE)
    require_same_organisation(access, round_, audit)
    finding = (finding or "").strip()
    if len(finding) < 5:
        raise InvalidInput("Say what the audits found", field="finding")
    if objective is None or objective.priority.plan.organisation_id != access.organisation.pk:
        raise InvalidInput("Choose an objective of one of this organisation's plans", field="objective")
    action = plans.add_action(access, objective, title=title, due=due, owner=owner, lead_unit=lead_unit,
                              bau_or_change="change", start=timezone.localdate())
    link = FindingAction(organisation=access.organisation, round=round_, audit=audit,
                         theme=theme(access, theme_name) if (theme_name or "").strip() else None,
                         action=action, finding=finding)
    stamp(link, access.user, new=True)
    link.save()
    log_action("quality.finding.actioned", actor=access.user, organisation=access.organisation, record=link,
               after=snapshot(link, ("finding",)) | {"action": action.title},
               message=f"{access.user.display_name} turned a finding of round ‘{round_.title}’ into action "
               f"‘{action.title}’ in ‘{objective.priority.plan.title}’")
    return link
