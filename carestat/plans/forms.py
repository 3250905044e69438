import datetime as dt

from django import forms
from django.utils import timezone

from carestat.core.govuk_forms import GovukDateField
from carestat.core.models import Membership, PeriodStatus, ReportingPeriod
from carestat.plans.models import BauOrChange, Delivery, Objective, PlanKind, RagChoice

STALE_FORM = "This form is out of date; reload the page and make your change again"


def version_field() -> forms.IntegerField:
    """The version of the record the form was opened on, carried in a hidden field so that
    saving over someone else's later change is refused (services raise Conflict)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0,
                              error_messages={"invalid": STALE_FORM, "min_value": STALE_FORM})


def update_quarters(org):
    """Quarters an update might be for: begun, and ended less than a year ago. Closed ones are
    listed (marked closed) so that trying to change one says why it is refused."""
    today = timezone.localdate()
    return ReportingPeriod.objects.filter(organisation=org, kind="quarter", start__lte=today,
                                          end__gte=today - dt.timedelta(days=365)).order_by("-start")


class UpdateForm(forms.Form):
    period = forms.ChoiceField(label="Reporting period", error_messages={"required": "Choose the reporting period"})
    # Not required here: a draft may be saved part-written; the service asks for them on submit.
    delivery = forms.ChoiceField(label="Delivery status", widget=forms.RadioSelect, choices=Delivery.choices,
                                 required=False)
    percent_complete = forms.IntegerField(
        label="Percent complete", min_value=0, max_value=100, widget=forms.NumberInput, required=False,
        error_messages={"required": "Enter the percent complete, from 0 to 100",
                        "invalid": "Percent complete must be a whole number, like 40",
                        "min_value": "Percent complete must be 0 or more",
                        "max_value": "Percent complete must be 100 or less"})
    commentary = forms.CharField(label="Commentary", widget=forms.Textarea, required=False,
                                 help_text="Progress this period, and any problems.")
    recovery_action = forms.CharField(
        label="Recovery action", widget=forms.Textarea, required=False,
        help_text="If the action is at risk or off track: what will be done, by whom and by when, to get it back on "
                  "track. Reports show it beside the exception. Needed to submit an off-track update.")
    next_steps = forms.CharField(label="Next steps", widget=forms.Textarea, required=False)
    evidence_links = forms.CharField(label="Evidence links", widget=forms.Textarea, required=False,
                                     help_text="One link per line, starting https://")
    # "<period>:<version>" of the update the form was opened on, version 0 when there was none
    # yet; it guards only that period's update, since the person may choose another quarter.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["period"].choices = [
            (p.identifier, p.title + (" (closed)" if p.status == PeriodStatus.CLOSED else ""))
            for p in update_quarters(organisation)]

    def clean_period(self):
        period = ReportingPeriod.objects.filter(organisation=self.organisation,
                                                identifier=self.cleaned_data["period"]).first()
        if period is None:
            raise forms.ValidationError("Choose a reporting period from the list")
        return period

    def clean_version(self):
        identifier, _, number = (self.cleaned_data.get("version") or "").rpartition(":")
        if not identifier:
            return None
        if not number.isdigit():
            raise forms.ValidationError(STALE_FORM)
        return identifier, int(number)

    def expected_version(self) -> int | None:
        """The version to hold the chosen period's update to, or None if the form was opened
        on another period's update (or on none)."""
        opened = self.cleaned_data.get("version")
        period = self.cleaned_data.get("period")
        return opened[1] if opened and period is not None and opened[0] == period.identifier else None


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve"), ("return", "Return to the owner")],
                                 error_messages={"required": "Choose approve or return"})
    comments = forms.CharField(label="Comments for the owner", widget=forms.Textarea, required=False,
                               help_text="Needed when returning the update: say what to change.")


class RedateForm(forms.Form):
    new_date = GovukDateField(label="New forecast date", error_messages={"required": "Enter the new forecast date"})
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea,
                             error_messages={"required": "Give the reason for moving the date"})
    version = version_field()


class CompleteForm(forms.Form):
    actual_date = GovukDateField(label="Date achieved", error_messages={"required": "Enter the date it was achieved"})
    version = version_field()


class OverrideForm(forms.Form):
    rag = forms.ChoiceField(label="RAG", required=False,
                            choices=[("", "Use the derived RAG (no override)")] + RagChoice.choices)
    reason = forms.CharField(label="Reason for the override", widget=forms.Textarea, required=False)
    version = version_field()


class ImportForm(forms.Form):
    workbook = forms.FileField(label="Plan workbook (.xlsx)", error_messages={"required": "Choose a workbook"})


# Keeping a plan's structure ---------------------------------------------------------------

def _unit_choices(org, blank="No particular unit", within=None):
    from carestat.core.models import Unit

    units = Unit.objects.filter(organisation=org, is_archived=False)
    return [("", blank)] + [(str(u.pk), f"{u.name} ({u.get_kind_display().lower()})") for u in units
                            if within is None or within(u)]


def _unit_from(org, pk):
    from carestat.core.models import Unit

    if not pk:
        return None
    unit = Unit.objects.filter(organisation=org, pk=pk).first()
    if unit is None:
        raise forms.ValidationError("Choose a unit from the list")
    return unit


class PlanForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the plan's title"})
    kind = forms.ChoiceField(label="Kind of plan", widget=forms.RadioSelect, choices=PlanKind.choices,
                             error_messages={"required": "Choose what kind of plan this is",
                                             "invalid_choice": "Choose a kind of plan from the list"})
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    owner_unit = forms.ChoiceField(label="Owner unit", required=False,
                                   error_messages={"invalid_choice": "Choose the owner unit from the list"})
    start = GovukDateField(label="Start date", error_messages={"required": "Enter the plan's start date"})
    end = GovukDateField(label="End date", error_messages={"required": "Enter the plan's end date"})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["owner_unit"].choices = _unit_choices(organisation, blank="No owner unit")

    def clean_owner_unit(self):
        return _unit_from(self.organisation, self.cleaned_data.get("owner_unit"))


class PlanChangeForm(PlanForm):
    version = version_field()


class PriorityForm(forms.Form):
    title = forms.CharField(label="Priority or theme", max_length=300,
                            error_messages={"required": "Enter the priority or theme"})


class PriorityChangeForm(PriorityForm):
    version = version_field()


class ObjectiveForm(forms.Form):
    statement = forms.CharField(label="Objective (statement)", widget=forms.Textarea, max_length=5000,
                                help_text="What this priority will achieve, such as ‘No one waits more than "
                                          "28 days for an assessment’.",
                                error_messages={"required": "Enter the objective's statement"})


class ObjectiveChangeForm(ObjectiveForm):
    version = version_field()


class ActionForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, error_messages={"required": "Enter the action's title"})
    owner = forms.ChoiceField(label="Owner", required=False,
                              help_text="They write the action's updates each period.",
                              error_messages={"invalid_choice": "Choose the owner from the organisation's members"})
    lead_unit = forms.ChoiceField(label="Lead unit", required=False,
                                  error_messages={"invalid_choice": "Choose the lead unit from the list"})
    bau_or_change = forms.ChoiceField(label="Business as usual or change", widget=forms.RadioSelect,
                                      choices=BauOrChange.choices,
                                      error_messages={"required": "Choose business as usual or change",
                                                      "invalid_choice": "Choose business as usual or change"})
    phase = forms.CharField(label="Phase", max_length=100, required=False,
                            help_text="Such as ‘First 100 days’ or ‘Year 2’.")
    start = GovukDateField(label="Start date", required=False)
    due = GovukDateField(label="Due date", error_messages={"required": "Enter the date the action is due"})
    also_serves = forms.MultipleChoiceField(
        label="Other objectives it also serves", required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose objectives of this plan from the list"})

    def __init__(self, *args, access, objective, **kwargs):
        from carestat.plans.services import within_unit

        super().__init__(*args, **kwargs)
        self.organisation = access.organisation
        self.objective = objective
        members = (Membership.objects.filter(organisation=access.organisation, is_active=True)
                   .select_related("user").order_by("user__full_name"))
        self.fields["owner"].choices = [("", "No owner yet")] + [(str(m.user_id), m.user.display_name)
                                                                  for m in members]
        self.fields["lead_unit"].choices = _unit_choices(access.organisation, blank="No lead unit",
                                                         within=lambda u: within_unit(access, u))
        others = (Objective.objects.filter(priority__plan=objective.priority.plan, is_archived=False,
                                           priority__is_archived=False).exclude(pk=objective.pk))
        self.fields["also_serves"].choices = [(str(o.pk), o.statement[:120]) for o in others]
        if not others:
            del self.fields["also_serves"]

    def clean_owner(self):
        pk = self.cleaned_data.get("owner")
        if not pk:
            return None
        m = Membership.objects.filter(organisation=self.organisation, is_active=True, user_id=pk).first()
        if m is None:
            raise forms.ValidationError(self.fields["owner"].error_messages["invalid_choice"])
        return m.user

    def clean_lead_unit(self):
        return _unit_from(self.organisation, self.cleaned_data.get("lead_unit"))

    def clean_also_serves(self):
        pks = self.cleaned_data.get("also_serves") or []
        return list(Objective.objects.filter(priority__plan=self.objective.priority.plan, pk__in=pks))


class ActionChangeForm(ActionForm):
    version = version_field()


class MilestoneForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, error_messages={"required": "Enter the milestone's title"})
    baseline_date = GovukDateField(
        label="Baseline date", help_text="The original date; it never changes. The forecast date starts here "
                                         "and moves later only with a reason.",
        error_messages={"required": "Enter the milestone's baseline date"})


class MilestoneTitleForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300,
                            error_messages={"required": "Enter the milestone's title",
                                            "max_length": "The milestone's title must be 300 characters or fewer"})
    version = version_field()


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="Why are you archiving it?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, help_text="It leaves the plan tree and its counts; its history is kept.",
                             error_messages={"required": "Give the reason for archiving it"})


class UnarchiveForm(forms.Form):
    reason = forms.CharField(label="Why are you restoring it?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000,
                             help_text="Say why it is needed again. The reason is kept in its history.",
                             error_messages={"required": "Give the reason for restoring it"})


def _rule_field(label: str, hint: str, *, percent: bool) -> forms.IntegerField:
    top = 100 if percent else 3650
    unit = "a percentage from 0 to 100" if percent else "a number of days from 0 to 3650"
    return forms.IntegerField(
        label=label, help_text=hint, min_value=0, max_value=top, widget=forms.NumberInput,
        error_messages={"required": f"Enter {label.lower()}, as {unit}",
                        "invalid": f"{label} must be a whole number, {unit}",
                        "min_value": f"{label} must be 0 or more",
                        "max_value": f"{label} must be {top} or less"})


class PlanRulesForm(forms.Form):
    at_risk_slip_days = _rule_field(
        "Slip before at risk (days)", "A milestone is at risk when its forecast has slipped more than this many "
        "days past its baseline.", percent=False)
    due_soon_days = _rule_field(
        "Due soon (days)", "A milestone due within this many days counts as due soon.", percent=False)
    due_soon_below_percent = _rule_field(
        "Due soon at risk below (percent complete)", "A milestone due soon is at risk when its action is less "
        "complete than this.", percent=True)
    overdue_red_below_percent = _rule_field(
        "Overdue red below (percent complete)", "An overdue milestone is red when its action is less complete "
        "than this, otherwise amber. 100 makes every overdue item red; some committees use 50.", percent=True)
    redate_out_of_red_needs_approval = forms.BooleanField(
        label="A re-dating that takes a red milestone out of red needs a manager's approval", required=False,
        help_text="When an action's owner moves a red milestone's date so that it would be amber or green, the "
                  "new date waits in the managers' approvals inbox instead of applying at once.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from carestat.plans.rules import DEFAULT_RULES

        for name, f in self.fields.items():
            f.help_text = f"{f.help_text} CareStat's default is {getattr(DEFAULT_RULES, name)}."


class BulkReviewForm(forms.Form):
    """The approvals inbox: the updates ticked, and one decision (with one reason to return)."""

    updates = forms.MultipleChoiceField(label="Updates", widget=forms.CheckboxSelectMultiple,
                                        error_messages={"required": "Select at least one update",
                                                        "invalid_choice": "An update you selected is no longer "
                                                                          "awaiting your approval; reload the page"})
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve the selected updates"),
                                          ("return", "Return the selected updates to their owners")],
                                 error_messages={"required": "Choose approve or return"})
    comments = forms.CharField(label="Reason for returning them", widget=forms.Textarea, required=False,
                               help_text="Needed when returning: say what the owners need to change. Each owner "
                                         "sees the same reason.")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["updates"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comments") or "").strip():
            self.add_error("comments", "Say what the owners need to change")
        return data


class RedateDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve the new date"), ("reject", "Do not approve it")],
                                 error_messages={"required": "Choose approve or do not approve"})
    note = forms.CharField(label="Note to the owner", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           help_text="Needed if you do not approve: say why.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why the new date is not approved")
        return data
