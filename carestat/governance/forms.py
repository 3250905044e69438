"""Governance forms. Choices of linked records are this organisation's only, turned back into
records in ``clean`` (anything else is "choose from the list"); the services check again."""

from __future__ import annotations

from django import forms

from carestat.core.govuk_forms import GovukDateField
from carestat.core.models import Membership
from carestat.governance.models import (
    Attendance,
    Board,
    BoardKind,
    BoardRole,
    DecisionKind,
    Frequency,
    Meeting,
    MeetingStatus,
    RecPriority,
    RecStatus,
    Response,
    Source,
)

PICK = "Choose from the list"


def version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class OrgForm(forms.Form):
    """A form whose choice fields name records of one organisation; ``picks`` maps a field to a
    function (organisation -> queryset) and a label for each record."""

    picks: dict = {}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self._rows = {}
        for name, (query, label, blank) in self.picks.items():
            rows = {str(r.pk): r for r in query(organisation)}
            self._rows[name] = rows
            self.fields[name].choices = [("", blank)] + [(pk, label(r)) for pk, r in rows.items()]

    def clean(self):
        data = super().clean()
        for name in self.picks:
            value = data.get(name)
            if value in (None, ""):
                data[name] = None
            elif value not in self._rows[name]:
                self.add_error(name, self.not_offered(name, value))
            else:
                data[name] = self._rows[name][value]
        return data

    def not_offered(self, name: str, value: str) -> str:
        """What to say when a value the list does not offer is posted anyway."""
        return PICK


class PickField(forms.ChoiceField):
    """A choice of a record: whether the value is one on offer is judged in ``OrgForm.clean``,
    which can say why a record is not offered, rather than Django's "Select a valid choice"."""

    def valid_value(self, value) -> bool:
        return True


def _members(org):
    return [m.user for m in Membership.objects.filter(organisation=org, is_active=True).select_related("user")]


def _remits(org):
    from carestat.reports.models import Remit

    return Remit.objects.filter(organisation=org, is_archived=False)


def _boards(org):
    return Board.objects.filter(organisation=org, is_archived=False)


def _meetings(org):
    return Meeting.objects.filter(organisation=org).select_related("board").order_by("-date")[:60]


def _choice(label, required=True, **kw):
    return PickField(label=label, required=required, **kw)


class BoardForm(OrgForm):
    picks = {"remit": (_remits, str, "No remit yet")}
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the board's name"})
    kind = forms.ChoiceField(label="Kind of board", choices=BoardKind.choices)
    remit = _choice("Remit", required=False,
                    help_text="The plans and measures it oversees; remits are kept under Reports.")
    frequency = forms.ChoiceField(label="Meets", choices=Frequency.choices, initial=Frequency.MONTHLY)
    terms_of_reference = forms.CharField(label="Terms of reference", widget=forms.Textarea, required=False)


class BoardChangeForm(BoardForm):
    version = version_field()


class MemberForm(OrgForm):
    picks = {"user": (_members, lambda u: u.display_name, "Does not sign in to CareStat")}
    name = forms.CharField(label="Name", max_length=200, required=False,
                           help_text="Leave blank to use the CareStat member's name.")
    role = forms.ChoiceField(label="Role on the board", choices=BoardRole.choices, initial=BoardRole.MEMBER)
    user = _choice("CareStat member", required=False)


class ForwardItemForm(forms.Form):
    title = forms.CharField(label="Item", max_length=300, error_messages={"required": "Enter the item's title"})
    expected = GovukDateField(label="Expected by", error_messages={"required": "Enter when the item is expected"})
    lead = forms.CharField(label="Lead officer", max_length=200, required=False)
    description = forms.CharField(label="What the board will consider", widget=forms.Textarea, required=False)


class MeetingForm(forms.Form):
    date = GovukDateField(label="Date", error_messages={"required": "Enter the meeting's date"})
    location = forms.CharField(label="Where", max_length=200, required=False)


class MeetingChangeForm(MeetingForm):
    status = forms.ChoiceField(label="Status", widget=forms.RadioSelect, choices=[
        (MeetingStatus.SCHEDULED.value, MeetingStatus.SCHEDULED.label), (MeetingStatus.HELD.value, "Held"),
        (MeetingStatus.CANCELLED.value, MeetingStatus.CANCELLED.label)])
    version = version_field()


def _reports(org):
    """Each report's current version (as the reports list shows them): a version replaced by a
    later one is not a paper for a meeting (the service refuses it too)."""
    from carestat.reports.selectors import reports

    return reports(org)


def _report_label(r) -> str:
    version = f"version {r.version_number}, " if r.version_number > 1 else ""
    return f"{r.title} ({version}{r.get_status_display().lower()})"


def _plans(org):
    from carestat.plans.models import Plan

    return Plan.objects.filter(organisation=org, is_archived=False)


def _measures(org):
    from carestat.measures.models import Measure

    return Measure.objects.filter(organisation=org)


class AgendaItemForm(OrgForm):
    picks = {"report": (_reports, _report_label, "No report"),
             "plan": (_plans, str, "No plan"),
             "measure": (_measures, lambda m: f"{m.code}: {m}", "No measure")}
    title = forms.CharField(label="Item", max_length=300, error_messages={"required": "Enter the item's title"})
    presenter = forms.CharField(label="Presented by", max_length=200, required=False)
    is_public = forms.BooleanField(label="Taken in public (exempt items stay out of the public pack)",
                                   required=False, initial=True)
    report = _choice("Paper: a CareStat report", required=False)
    plan = _choice("Or a plan", required=False)
    measure = _choice("Or a measure", required=False)

    def not_offered(self, name: str, value: str) -> str:
        if name == "report" and value.isdigit():
            from carestat.governance.services import superseded_paper
            from carestat.reports.models import Report

            report = Report.objects.filter(organisation=self.organisation, pk=int(value)).first()
            if report is not None and report.is_superseded:
                return superseded_paper(report)
        return super().not_offered(name, value)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label="Minutes", widget=forms.Textarea, required=False)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", widget=forms.RadioSelect, choices=DecisionKind.choices,
                             initial=DecisionKind.DECISION)
    item = forms.ChoiceField(label="Agenda item", required=False)
    text = forms.CharField(label="What was decided or resolved", widget=forms.Textarea,
                           error_messages={"required": "Enter what was decided or resolved"})

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {str(i.pk): i for i in meeting.items.all()}
        self.fields["item"].choices = [("", "Not on a particular item")] + [(k, str(i)) for k, i in self.items.items()]

    def clean_item(self):
        value = self.cleaned_data.get("item")
        if not value:
            return None
        if value not in self.items:
            raise forms.ValidationError(PICK)
        return self.items[value]


class AttendanceForm(forms.Form):
    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        marks = {a.member_id: a.status for a in meeting.attendance.all()}
        self.members = {}
        for m in meeting.board.members.filter(is_archived=False):
            name = f"member_{m.pk}"
            self.members[name] = m
            self.fields[name] = forms.ChoiceField(label=str(m), widget=forms.RadioSelect, required=False,
                                                  choices=Attendance.choices, initial=marks.get(m.pk))

    def marks(self) -> dict:
        return {m: self.cleaned_data[n] for n, m in self.members.items() if self.cleaned_data.get(n)}


class RecommendationForm(OrgForm):
    picks = {"owner": (_members, lambda u: u.display_name, "No owner yet"),
             "board": (_boards, str, "No board"),
             "answer_meeting": (_meetings, str, "Not yet set")}
    source = forms.ChoiceField(label="Source", choices=Source.choices)
    source_document = forms.CharField(label="Source document", max_length=300,
                                      help_text="Such as ‘Comptroller and Auditor General: Governance review’.")
    reference = forms.CharField(label="Reference", max_length=40)
    raised_on = GovukDateField(label="Date raised", error_messages={"required": "Enter the date it was made"})
    text = forms.CharField(label="Recommendation", widget=forms.Textarea)
    priority = forms.ChoiceField(label="Priority", choices=RecPriority.choices, initial=RecPriority.MEDIUM)
    owner = _choice("Owner", required=False)
    board = _choice("Board that monitors it", required=False)
    response = forms.ChoiceField(label="Response", choices=Response.choices, initial=Response.PENDING)
    agreed_response = forms.CharField(label="Agreed response (or why it is not accepted)", widget=forms.Textarea,
                                      required=False)
    due_date = GovukDateField(label="Due", error_messages={"required": "Enter the date it is due"})
    answer_meeting = _choice("Meeting where it is answered", required=False)


class RecommendationChangeForm(RecommendationForm):
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["due_date"]  # moved only by an approved extension


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", widget=forms.RadioSelect, choices=RecStatus.choices,
                               error_messages={"required": "Choose the new status"})
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             error_messages={"required": "Give the reason for the change of status"})
    evidence = forms.CharField(label="Evidence", widget=forms.Textarea, required=False,
                               help_text="Needed to close it: one link or document per line.")
    on = GovukDateField(label="Effective", required=False, help_text="Leave blank for today.")
    version = version_field()


class LinkActionForm(forms.Form):
    action = forms.ChoiceField(label="Plan action", error_messages={"required": "Choose an action"})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from carestat.plans.models import Action

        self.rows = {str(a.pk): a for a in Action.objects.filter(
            objective__priority__plan__organisation=organisation, is_archived=False,
            objective__priority__plan__is_archived=False).select_related("objective__priority__plan")}
        self.fields["action"].choices = [("", "Choose an action")] + [
            (k, f"{a.plan.title}: {a.title}") for k, a in self.rows.items()]

    def clean_action(self):
        value = self.cleaned_data["action"]
        if value not in self.rows:
            raise forms.ValidationError(PICK)
        return self.rows[value]


class NewActionForm(forms.Form):
    objective = forms.ChoiceField(label="Under the objective", error_messages={"required": "Choose an objective"})
    title = forms.CharField(label="Action", max_length=300, error_messages={"required": "Enter the action's title"})
    due = GovukDateField(label="Due", error_messages={"required": "Enter the date the action is due"})
    owner = forms.ChoiceField(label="Owner", required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from carestat.plans.models import Objective

        self.objectives = {str(o.pk): o for o in Objective.objects.filter(
            priority__plan__organisation=organisation, is_archived=False, priority__is_archived=False,
            priority__plan__is_archived=False).select_related("priority__plan")}
        self.fields["objective"].choices = [("", "Choose an objective")] + [
            (k, f"{o.priority.plan.title}: {o.statement[:100]}") for k, o in self.objectives.items()]
        self.owners = {str(u.pk): u for u in _members(organisation)}
        self.fields["owner"].choices = [("", "No owner yet")] + [(k, u.display_name) for k, u in self.owners.items()]

    def clean_objective(self):
        value = self.cleaned_data["objective"]
        if value not in self.objectives:
            raise forms.ValidationError(PICK)
        return self.objectives[value]

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        if not value:
            return None
        if value not in self.owners:
            raise forms.ValidationError(PICK)
        return self.owners[value]


class ExtensionForm(forms.Form):
    new_due_date = GovukDateField(label="New due date",
                                  error_messages={"required": "Enter the new due date asked for"})
    reason = forms.CharField(label="Why more time is needed", widget=forms.Textarea,
                             error_messages={"required": "Say why more time is needed"})


class ExtensionDecisionForm(OrgForm):
    picks = {"meeting": (_meetings, str, "Not decided at a meeting")}
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve"), ("refuse", "Refuse")],
                                 error_messages={"required": "Choose approve or refuse"})
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False,
                           help_text="Needed when refusing: say why.")
    meeting = _choice("Decided at", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Recommendations (.xlsx or .csv)", error_messages={"required": "Choose a file"})


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             error_messages={"required": "Say why the board is being archived"})
