"""Business operations on the risk register.

Each is transactional, checks the actor's role, refuses bad input with a typed error from
carestat.core.errors before anything is stored, and records one audit entry in words.

Who may do what: everyone in the organisation reads; managers (within their units) keep
risks, controls and links; a risk's owner may also re-score it; admins keep the scoring
matrix and the categories with their appetite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from carestat.analytics import risks as scoring
from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import describe_changes, log_action, snapshot
from carestat.core.changes import locked as _locked
from carestat.core.changes import require_same_organisation, stamp_versioned
from carestat.core.errors import Conflict, InvalidInput, NotAllowed
from carestat.core.models import Membership, ReportingPeriod, Unit, User
from carestat.core.permissions import Perm
from carestat.measures.models import Measure
from carestat.plans import services as plan_services
from carestat.plans.models import Action, Objective, Plan, Priority
from carestat.risks.models import (
    Appetite,
    Assessment,
    AssessmentKind,
    Control,
    Effectiveness,
    KeyIndicator,
    Mitigation,
    ReviewFrequency,
    Risk,
    RiskCategory,
    RiskMatrix,
    RiskStatus,
    matrix_for,
)

RISK_FIELDS = ("ref", "title", "cause", "event", "consequence", "category", "unit", "plan", "priority", "owner",
               "status", "review_frequency", "next_review", "is_archived")
CATEGORY_FIELDS = ("name", "appetite", "max_target_score", "is_archived")


def _d(day: dt.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "no date"


def _who(access: Access) -> str:
    return access.user.display_name


def _stamp(instance, actor: User | None, *, new: bool = False) -> list[str]:
    return stamp_versioned(instance, actor, new=new)


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(f"Give the reason for {what}", field="reason")
    return reason


# Who may do what ----------------------------------------------------------------------------

def can_manage_risk(access: Access, risk: Risk | None = None, unit: Unit | None = None) -> bool:
    if not access.can(Perm.MANAGE):
        return False
    return plan_services.within_unit(access, risk.unit if risk is not None else unit)


def require_manage_risk(access: Access, risk: Risk | None = None, unit: Unit | None = None) -> None:
    access.require(Perm.MANAGE)
    if not can_manage_risk(access, risk, unit):
        where = (risk.unit if risk is not None else unit) or "no unit"
        raise NotAllowed(f"This risk sits with {where}, outside the units you manage")


def can_assess_risk(access: Access, risk: Risk) -> bool:
    """Managers of the risk's unit re-score it; so may its owner, if they may contribute."""
    return can_manage_risk(access, risk) or (access.can(Perm.CONTRIBUTE) and risk.owner_id == access.user.pk)


# Matrix and categories (admins) -------------------------------------------------------------

@transaction.atomic
def set_matrix(access: Access, *, likelihood: Sequence[str], impact: Sequence[str],
               bands: Sequence[scoring.Band]) -> RiskMatrix:
    """Change the organisation's level names and band thresholds. Assessments already made keep
    the names, score and band they were given: history is never rescored."""
    access.require(Perm.ADMINISTER)
    try:
        matrix = scoring.build_matrix(likelihood, impact, bands)
    except scoring.ScoreError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    current = matrix_for(access.organisation)
    used = Assessment.objects.filter(organisation=access.organisation)
    for field, size in (("likelihood", len(matrix.likelihood)), ("impact", len(matrix.impact))):
        if used.filter(**{f"{field}__gt": size}).exists():
            raise InvalidInput(f"Risks are assessed at {field} levels above {size}; keep at least as many levels, "
                               "or re-score those risks first", field=field)
    row, _ = RiskMatrix.objects.get_or_create(
        organisation=access.organisation,
        defaults={"likelihood_names": list(current.likelihood), "impact_names": list(current.impact),
                  "bands": [b.__dict__ for b in current.bands]})
    row = RiskMatrix.objects.select_for_update().get(pk=row.pk)
    before = {"likelihood_names": list(current.likelihood), "impact_names": list(current.impact),
              "bands": [_band_words(b) for b in current.bands]}
    after = {"likelihood_names": list(matrix.likelihood), "impact_names": list(matrix.impact),
             "bands": [_band_words(b) for b in matrix.bands]}
    if before == after:
        return row
    row.likelihood_names, row.impact_names = list(matrix.likelihood), list(matrix.impact)
    row.bands = [{"label": b.label, "min_score": b.min_score, "rag": b.rag} for b in matrix.bands]
    row.save(update_fields=["likelihood_names", "impact_names", "bands", *_stamp(row, access.user)])
    changes = []
    for key, label in (("likelihood_names", "likelihood levels"), ("impact_names", "impact levels"),
                       ("bands", "bands")):
        if before[key] != after[key]:
            changes.append(f"{label} from {', '.join(before[key])} to {', '.join(after[key])}")
    log_action("risks.matrix.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after=after,
               message=f"{_who(access)} changed the risk matrix: " + "; ".join(changes)
               + ". Earlier assessments keep the scores and bands they were given")
    return row


def _band_words(b: scoring.Band) -> str:
    return f"{b.label} from {b.min_score} ({b.rag})"


def _clean_category(access: Access, name: str, appetite: str, max_target_score, exclude: int | None = None):
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the category's name", field="name")
    if appetite not in Appetite.values:
        raise InvalidInput("Choose the appetite: " + ", ".join(Appetite.labels).lower(), field="appetite")
    top = matrix_for(access.organisation).max_score
    if isinstance(max_target_score, bool) or not isinstance(max_target_score, int) or not \
            1 <= max_target_score <= top:
        raise InvalidInput(f"The highest acceptable score must be a whole number from 1 to {top}",
                           field="max_target_score")
    clash = RiskCategory.objects.filter(organisation=access.organisation, name__iexact=name)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(f"There is already a risk category called ‘{name}’", field="name")
    return name


@transaction.atomic
def add_category(access: Access, *, name: str, appetite: str, max_target_score: int) -> RiskCategory:
    """A new risk category with its appetite (admins)."""
    access.require(Perm.ADMINISTER)
    name = _clean_category(access, name, appetite, max_target_score)
    cat = RiskCategory(organisation=access.organisation, name=name, appetite=appetite,
                       max_target_score=max_target_score)
    _stamp(cat, access.user, new=True)
    cat.save()
    log_action("risks.category.created", actor=access.user, organisation=access.organisation, record=cat,
               after=snapshot(cat, CATEGORY_FIELDS),
               message=f"{_who(access)} added risk category ‘{name}’ with appetite {cat.appetite_words}")
    return cat


@transaction.atomic
def update_category(access: Access, category: RiskCategory, *, name: str, appetite: str, max_target_score: int,
                    is_archived: bool = False, expected_version: int | None = None) -> RiskCategory:
    """Rename a category or change its appetite (admins). Flags follow the new appetite at once."""
    access.require(Perm.ADMINISTER)
    cat = _locked(category, expected_version)
    name = _clean_category(access, name, appetite, max_target_score, exclude=cat.pk)
    before = snapshot(cat, CATEGORY_FIELDS)
    cat.name, cat.appetite, cat.max_target_score, cat.is_archived = name, appetite, max_target_score, is_archived
    after = snapshot(cat, CATEGORY_FIELDS)
    if before == after:
        return cat
    cat.save(update_fields=["name", "appetite", "max_target_score", "is_archived", *_stamp(cat, access.user)])
    log_action("risks.category.changed", actor=access.user, organisation=access.organisation, record=cat,
               before=before, after=after,
               message=f"{_who(access)} changed risk category ‘{name}’: "
               + "; ".join(describe_changes(RiskCategory, before, after)))
    return cat


# Risks ---------------------------------------------------------------------------------------

def _clean_risk(access: Access, *, ref: str, title: str, category, unit, plan, priority, owner,
                review_frequency: str, next_review, exclude: int | None = None) -> tuple[str, str]:
    ref, title = (ref or "").strip(), (title or "").strip()
    if not ref:
        raise InvalidInput("Enter the risk's reference, such as R01", field="ref")
    if len(ref) > 20:
        raise InvalidInput("A reference is at most 20 characters", field="ref")
    if not title:
        raise InvalidInput("Enter the risk's title", field="title")
    if category is None:
        raise InvalidInput("Choose the risk's category", field="category")
    require_same_organisation(access, category, field="category", what="category")
    if category.is_archived:
        raise InvalidInput(f"Category ‘{category.name}’ is archived; choose another", field="category")
    require_same_organisation(access, unit, field="unit", what="unit")
    require_same_organisation(access, plan, field="plan", what="plan")
    if priority is not None:
        if priority.plan.organisation_id != access.organisation.pk:
            raise InvalidInput(f"Choose a priority in {access.organisation.name}", field="priority")
        if plan is not None and priority.plan_id != plan.pk:
            raise InvalidInput(f"Priority ‘{priority.title}’ is not part of ‘{plan.title}’", field="priority")
    if owner is not None and not Membership.objects.filter(user=owner, organisation=access.organisation,
                                                           is_active=True).exists():
        raise InvalidInput(f"{owner.display_name} is not a member of {access.organisation.name}", field="owner")
    if review_frequency not in ReviewFrequency.values:
        raise InvalidInput("Choose how often the risk is reviewed", field="review_frequency")
    if next_review is None:
        raise InvalidInput("Enter the next review date", field="next_review")
    clash = Risk.objects.filter(organisation=access.organisation, ref__iexact=ref)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(f"There is already a risk with reference ‘{ref}’", field="ref")
    return ref, title


@transaction.atomic
def create_risk(access: Access, *, ref: str, title: str, category: RiskCategory, cause: str = "", event: str = "",
                consequence: str = "", unit: Unit | None = None, plan: Plan | None = None,
                priority: Priority | None = None, owner: User | None = None,
                review_frequency: str = ReviewFrequency.QUARTERLY, next_review: dt.date | None = None) -> Risk:
    """A new open risk (managers of its unit). Score it with ``assess``."""
    require_manage_risk(access, unit=unit)
    if priority is not None and plan is None:
        plan = priority.plan
    next_review = next_review or scoring.next_review(timezone.localdate(), review_frequency or "quarterly")
    ref, title = _clean_risk(access, ref=ref, title=title, category=category, unit=unit, plan=plan,
                             priority=priority, owner=owner, review_frequency=review_frequency,
                             next_review=next_review)
    risk = Risk(organisation=access.organisation, ref=ref, title=title, cause=(cause or "").strip(),
                event=(event or "").strip(), consequence=(consequence or "").strip(), category=category,
                unit=unit, plan=plan, priority=priority, owner=owner, review_frequency=review_frequency,
                next_review=next_review)
    _stamp(risk, access.user, new=True)
    risk.save()
    log_action("risks.risk.created", actor=access.user, organisation=access.organisation, record=risk,
               after=snapshot(risk, RISK_FIELDS),
               message=f"{_who(access)} added risk {ref} ‘{title}’ ({category.name})"
               + (f", owned by {owner.display_name}" if owner else "") + f", next review {_d(next_review)}")
    return risk


@transaction.atomic
def update_risk(access: Access, risk: Risk, *, ref: str, title: str, category: RiskCategory, cause: str = "",
                event: str = "", consequence: str = "", unit: Unit | None = None, plan: Plan | None = None,
                priority: Priority | None = None, owner: User | None = None,
                review_frequency: str = ReviewFrequency.QUARTERLY, next_review: dt.date | None = None,
                status: str | None = None, expected_version: int | None = None) -> Risk:
    """Change a risk's details or status (managers of its unit, who may move it only to a unit
    they also manage). Without ``next_review`` the review date stays as it is."""
    risk = _locked(risk, expected_version)
    require_manage_risk(access, risk)
    if risk.is_archived:
        raise Conflict(f"Risk {risk.ref} is archived, so it can no longer be changed")
    if unit is not None and not plan_services.within_unit(access, unit):
        raise NotAllowed(f"{unit.name} is outside the units you manage")
    status = status or risk.status
    next_review = next_review or risk.next_review  # left out: the review date stays as it is
    if status not in RiskStatus.values:
        raise InvalidInput("Choose open, closed or transferred", field="status")
    if priority is not None and plan is None:
        plan = priority.plan
    ref, title = _clean_risk(access, ref=ref, title=title, category=category, unit=unit, plan=plan,
                             priority=priority, owner=owner, review_frequency=review_frequency,
                             next_review=next_review, exclude=risk.pk)
    before = snapshot(risk, RISK_FIELDS)
    risk.ref, risk.title, risk.category, risk.unit, risk.plan, risk.priority = ref, title, category, unit, plan, \
        priority
    risk.cause, risk.event, risk.consequence = (cause or "").strip(), (event or "").strip(), \
        (consequence or "").strip()
    risk.owner, risk.review_frequency, risk.next_review, risk.status = owner, review_frequency, next_review, status
    after = snapshot(risk, RISK_FIELDS)
    if before == after:
        return risk
    risk.save(update_fields=["ref", "title", "category", "unit", "plan", "priority", "cause", "event",
                             "consequence", "owner", "review_frequency", "next_review", "status",
                             *_stamp(risk, access.user)])
    log_action("risks.risk.changed", actor=access.user, organisation=access.organisation, record=risk,
               before=before, after=after,
               message=f"{_who(access)} changed risk {risk.ref}: " + "; ".join(describe_changes(Risk, before, after)))
    return risk


@transaction.atomic
def archive_risk(access: Access, risk: Risk, *, reason: str) -> Risk:
    """Archive a risk: it leaves the register and counts but keeps its history."""
    reason = _reason(reason, "archiving the risk")
    risk = _locked(risk)
    require_manage_risk(access, risk)
    if risk.is_archived:
        raise Conflict(f"Risk {risk.ref} is already archived")
    risk.is_archived, risk.archived_at = True, timezone.now()
    risk.save(update_fields=["is_archived", "archived_at", *_stamp(risk, access.user)])
    log_action("risks.risk.archived", actor=access.user, organisation=access.organisation, record=risk,
               before={"is_archived": False}, after={"is_archived": True, "reason": reason},
               message=f"{_who(access)} archived risk {risk.ref} ‘{risk.title}’: {reason}")
    return risk


@transaction.atomic
def record_issue(access: Access, risk: Risk, *, occurred_on: dt.date, note: str) -> Risk:
    """The risk has happened: it moves to the issues log as the same record, so its scores,
    controls and mitigations stay with it."""
    risk = _locked(risk)
    require_manage_risk(access, risk)
    if risk.is_archived:
        raise Conflict(f"Risk {risk.ref} is archived")
    if risk.occurred_on is not None:
        raise Conflict(f"Risk {risk.ref} is already in the issues log (it happened on {_d(risk.occurred_on)})")
    if occurred_on is None:
        raise InvalidInput("Enter the date it happened", field="occurred_on")
    if occurred_on > timezone.localdate():
        raise InvalidInput("The date it happened cannot be in the future", field="occurred_on")
    note = _reason(note, "recording it as an issue")
    risk.occurred_on, risk.issue_note = occurred_on, note
    risk.save(update_fields=["occurred_on", "issue_note", *_stamp(risk, access.user)])
    log_action("risks.risk.issue", actor=access.user, organisation=access.organisation, record=risk,
               before={"occurred_on": None}, after={"occurred_on": occurred_on.isoformat(), "issue_note": note},
               message=f"{_who(access)} recorded that risk {risk.ref} ‘{risk.title}’ happened on "
               f"{_d(occurred_on)}: {note}")
    return risk


# Assessments -----------------------------------------------------------------------------------

def _period_for(org, day: dt.date) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(organisation=org, kind="quarter", start__lte=day, end__gte=day).first()


@transaction.atomic
def assess(access: Access, risk: Risk, *, kind: str, likelihood: int, impact: int, reason: str,
           assessed_on: dt.date | None = None, score: int | None = None) -> Assessment:
    """Score a risk (inherent, current or target) on the organisation's matrix, with a reason.

    A level outside the matrix, or a ``score`` that is not likelihood x impact, is refused and
    nothing is stored. A date inside a closed period is refused: what that period reported is
    frozen. A current assessment moves the next review date on by the review frequency."""
    risk = _locked(risk)
    if not can_assess_risk(access, risk):
        access.require(Perm.CONTRIBUTE)
        raise NotAllowed(f"Only the risk's owner, or a manager of {risk.unit or 'its unit'}, may score {risk.ref}")
    if risk.is_archived:
        raise Conflict(f"Risk {risk.ref} is archived, so it can no longer be scored")
    if kind not in AssessmentKind.values:
        raise InvalidInput("Choose inherent, current or target", field="kind")
    matrix = matrix_for(access.organisation)
    try:
        total = matrix.score(likelihood, impact, score)
    except scoring.ScoreError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    today = timezone.localdate()
    assessed_on = assessed_on or today
    if assessed_on > today:
        raise InvalidInput("An assessment cannot be dated in the future", field="assessed_on")
    reason = _reason(reason, "the score")
    core_services.refuse_if_closed(access.organisation, assessed_on, what=f"The date {_d(assessed_on)}",
                                   frozen="its assessments are frozen", field="assessed_on")
    band = matrix.band_for(total)
    a = Assessment.objects.create(
        organisation=access.organisation, risk=risk, kind=kind, likelihood=likelihood, impact=impact,
        likelihood_name=matrix.likelihood_name(likelihood), impact_name=matrix.impact_name(impact), score=total,
        band=band.label, band_rag=band.rag, assessed_on=assessed_on, reason=reason,
        period=_period_for(access.organisation, assessed_on), created_at=timezone.now(),
        created_by=access.user if access.user.pk else None)
    fields = _stamp(risk, access.user)
    if kind == AssessmentKind.CURRENT:
        latest = (Assessment.objects.filter(risk=risk, kind=AssessmentKind.CURRENT)
                  .order_by("-assessed_on", "-pk").first())
        if latest.pk == a.pk:
            risk.next_review = scoring.next_review(assessed_on, risk.review_frequency)
            fields.append("next_review")
    risk.save(update_fields=fields)
    log_action("risks.assessment.created", actor=access.user, organisation=access.organisation, record=risk,
               after={"kind": a.get_kind_display(), "likelihood": f"{likelihood} {a.likelihood_name}",
                      "impact": f"{impact} {a.impact_name}", "score": total, "band": band.label,
                      "assessed_on": assessed_on.isoformat(), "reason": reason},
               message=f"{_who(access)} scored risk {risk.ref} ({a.get_kind_display().lower()}) at {total}, "
               f"{band.label}: likelihood {likelihood} ({a.likelihood_name}) x impact {impact} "
               f"({a.impact_name}) on {_d(assessed_on)}: {reason}")
    return a


# Controls ------------------------------------------------------------------------------------

@transaction.atomic
def add_control(access: Access, risk: Risk, *, description: str, effectiveness: str) -> Control:
    require_manage_risk(access, risk)
    description = (description or "").strip()
    if not description:
        raise InvalidInput("Describe the control", field="description")
    if effectiveness not in Effectiveness.values:
        raise InvalidInput("Choose how effective the control is: effective, partly or not", field="effectiveness")
    c = Control(organisation=access.organisation, risk=risk, description=description, effectiveness=effectiveness)
    _stamp(c, access.user, new=True)
    c.save()
    # Recorded against the risk, so its history page tells the whole story.
    log_action("risks.control.created", actor=access.user, organisation=access.organisation, record=risk,
               after=snapshot(c, ("description", "effectiveness")),
               message=f"{_who(access)} added control ‘{description[:80]}’ ({c.get_effectiveness_display().lower()}) "
               f"to risk {risk.ref}")
    return c


@transaction.atomic
def update_control(access: Access, control: Control, *, description: str, effectiveness: str,
                   is_archived: bool = False) -> Control:
    c = _locked(control)
    require_manage_risk(access, c.risk)
    description = (description or "").strip()
    if not description:
        raise InvalidInput("Describe the control", field="description")
    if effectiveness not in Effectiveness.values:
        raise InvalidInput("Choose how effective the control is: effective, partly or not", field="effectiveness")
    before = snapshot(c, ("description", "effectiveness", "is_archived"))
    c.description, c.effectiveness, c.is_archived = description, effectiveness, is_archived
    after = snapshot(c, ("description", "effectiveness", "is_archived"))
    if before == after:
        return c
    c.save(update_fields=["description", "effectiveness", "is_archived", *_stamp(c, access.user)])
    log_action("risks.control.changed", actor=access.user, organisation=access.organisation, record=c.risk,
               before=before, after=after,
               message=f"{_who(access)} changed a control of risk {c.risk.ref}: "
               + "; ".join(describe_changes(Control, before, after)))
    return c


# Mitigations and key risk indicators ---------------------------------------------------------

@transaction.atomic
def link_action(access: Access, risk: Risk, action: Action) -> Mitigation:
    """Record a plan action as mitigating the risk. Only an action of the same organisation."""
    require_manage_risk(access, risk)
    if action is None or action.objective.priority.plan.organisation_id != access.organisation.pk:
        raise InvalidInput(f"Choose an action from a plan of {access.organisation.name}", field="action")
    if action.is_archived:
        raise InvalidInput(f"Action ‘{action.title}’ is archived", field="action")
    existing = Mitigation.objects.select_for_update().filter(risk=risk, action=action).first()
    if existing is not None and not existing.is_archived:
        raise Conflict(f"‘{action.title}’ already mitigates {risk.ref}", field="action")
    if existing is not None:
        existing.is_archived = False
        existing.save(update_fields=["is_archived", *_stamp(existing, access.user)])
        m = existing
    else:
        m = Mitigation(organisation=access.organisation, risk=risk, action=action)
        _stamp(m, access.user, new=True)
        m.save()
    log_action("risks.mitigation.linked", actor=access.user, organisation=access.organisation, record=risk,
               after={"action": action.title, "plan": action.plan.title},
               message=f"{_who(access)} linked action ‘{action.title}’ of ‘{action.plan.title}’ as a mitigation "
               f"of risk {risk.ref}")
    return m


@transaction.atomic
def create_mitigating_action(access: Access, risk: Risk, objective: Objective, *, title: str, due: dt.date,
                             owner: User | None = None) -> Mitigation:
    """Add a new action to a plan (through the plans services, with their rules) and link it."""
    require_manage_risk(access, risk)
    if objective is None or objective.priority.plan.organisation_id != access.organisation.pk:
        raise InvalidInput(f"Choose an objective from a plan of {access.organisation.name}", field="objective")
    action = plan_services.add_action(access, objective, title=title, due=due, owner=owner, lead_unit=risk.unit)
    return link_action(access, risk, action)


@transaction.atomic
def unlink_action(access: Access, mitigation: Mitigation) -> Mitigation:
    m = _locked(mitigation)
    require_manage_risk(access, m.risk)
    if m.is_archived:
        raise Conflict("That action no longer mitigates this risk")
    m.is_archived = True
    m.save(update_fields=["is_archived", *_stamp(m, access.user)])
    log_action("risks.mitigation.unlinked", actor=access.user, organisation=access.organisation, record=m.risk,
               before={"action": m.action.title},
               message=f"{_who(access)} removed action ‘{m.action.title}’ from the mitigations of risk {m.risk.ref}")
    return m


@transaction.atomic
def link_measure(access: Access, risk: Risk, measure: Measure) -> KeyIndicator:
    """Record a measure as a key risk indicator. Only a measure of the same organisation."""
    require_manage_risk(access, risk)
    if measure is None or measure.organisation_id != access.organisation.pk:
        raise InvalidInput(f"Choose a measure of {access.organisation.name}", field="measure")
    existing = KeyIndicator.objects.select_for_update().filter(risk=risk, measure=measure).first()
    if existing is not None and not existing.is_archived:
        raise Conflict(f"{measure.code} is already an indicator of {risk.ref}", field="measure")
    if existing is not None:
        existing.is_archived = False
        existing.save(update_fields=["is_archived", *_stamp(existing, access.user)])
        k = existing
    else:
        k = KeyIndicator(organisation=access.organisation, risk=risk, measure=measure)
        _stamp(k, access.user, new=True)
        k.save()
    log_action("risks.indicator.linked", actor=access.user, organisation=access.organisation, record=risk,
               after={"measure": str(measure)},
               message=f"{_who(access)} linked measure {measure.code} ‘{measure.title}’ as a key indicator of "
               f"risk {risk.ref}")
    return k


@transaction.atomic
def unlink_measure(access: Access, indicator: KeyIndicator) -> KeyIndicator:
    k = _locked(indicator)
    require_manage_risk(access, k.risk)
    if k.is_archived:
        raise Conflict("That measure is no longer an indicator of this risk")
    k.is_archived = True
    k.save(update_fields=["is_archived", *_stamp(k, access.user)])
    log_action("risks.indicator.unlinked", actor=access.user, organisation=access.organisation, record=k.risk,
               before={"measure": str(k.measure)},
               message=f"{_who(access)} removed measure {k.measure.code} from the indicators of risk {k.risk.ref}")
    return k
