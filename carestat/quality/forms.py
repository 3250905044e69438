"""Quality forms: text in, checked by the services (which hold the rules), errors shown by field."""

from __future__ import annotations

from django import forms

from carestat.core.govuk_forms import GovukDateField
from carestat.quality.models import Service, Source, StratifyBy, ToolVersion

QUESTIONS_HELP = ("One question a line, as ‘Section | Question’, for example "
                  "‘Voice of the person | Are the person’s wishes and feelings recorded?’")
SCALE_HELP = "One grade a line, best first. Leave blank for outstanding, good, requires improvement, inadequate."


class ToolForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the tool's name"})
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    questions = forms.CharField(label="Questions", help_text=QUESTIONS_HELP, widget=forms.Textarea(attrs={"rows": 8}),
                                error_messages={"required": "Write at least one question"})
    scale = forms.CharField(label="Grading scale", required=False, help_text=SCALE_HELP,
                            widget=forms.Textarea(attrs={"rows": 4}))


class ReviseForm(forms.Form):
    questions = forms.CharField(label="Questions", help_text=QUESTIONS_HELP, widget=forms.Textarea(attrs={"rows": 10}),
                                error_messages={"required": "Write at least one question"})
    scale = forms.CharField(label="Grading scale", required=False, help_text=SCALE_HELP,
                            widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label="What changed", required=False, max_length=300)


class RoundForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the round's title"})
    tool_version = forms.ChoiceField(label="Audit tool", error_messages={"required": "Choose the audit tool"})
    period = forms.CharField(label="Quarter", max_length=20, help_text="Such as 2026-27-Q3.",
                             error_messages={"required": "Enter the quarter"})
    service = forms.ChoiceField(label="Service", choices=Service.choices, widget=forms.RadioSelect,
                                initial=Service.ADULTS)
    source = forms.ChoiceField(label="Where the cases come from", choices=Source.choices, widget=forms.RadioSelect,
                               initial=Source.CASEDATA)
    case_list = forms.FileField(label="Case list (CSV)", required=False,
                                help_text="Columns person_id, team, work_type; optional need, closed (yes/no), "
                                "worker_manager (an email). Identifiers are pseudonymised on upload and not kept.")
    stratify_by = forms.ChoiceField(label="Stratify by", choices=StratifyBy.choices, widget=forms.RadioSelect,
                                    initial=StratifyBy.TEAM)
    total = forms.IntegerField(label="Cases to draw", required=False, min_value=1, max_value=5000,
                               help_text="Shared across strata in proportion to their size.")
    strata = forms.CharField(label="Or cases per stratum", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="One a line as ‘Stratum: number’, for example ‘OT North: 5’.")
    seed = forms.IntegerField(label="Seed", required=False, min_value=0, max_value=999_999_999,
                              help_text="Leave blank for a new random seed; give one to repeat a draw.")
    exclude_closed = forms.BooleanField(label="Leave out closed cases", required=False, initial=True)
    audited_within_months = forms.IntegerField(label="Leave out cases audited in the last (months)", required=False,
                                               min_value=1, max_value=60)
    peer = forms.BooleanField(label="Peer audit: nobody audits their own team's cases", required=False)
    moderation_percent = forms.IntegerField(label="Share to moderate (%)", required=False, min_value=0,
                                            max_value=100, initial=10)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["tool_version"].choices = [("", "Choose a tool")] + [
            (str(v.pk), str(v)) for v in ToolVersion.objects.filter(organisation=org, tool__is_archived=False)]

    def clean_tool_version(self):
        return ToolVersion.objects.filter(organisation=self.org, pk=self.cleaned_data["tool_version"]).first()

    def clean_strata(self):
        out = {}
        for n, line in enumerate((self.cleaned_data.get("strata") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, count = line.rpartition(":")
            if not sep or not count.strip().isdigit() or not name.strip():
                raise forms.ValidationError(f"Line {n}: write it as ‘Stratum: number’")
            out[name.strip()] = int(count)
        return out


class AllocateForm(forms.Form):
    auditors = forms.MultipleChoiceField(label="Auditors", widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": "Choose at least one auditor"})

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in members}
        self.fields["auditors"].choices = [(str(m.user_id), f"{m.user.display_name} ({m.get_role_display()}"
                                            + (f", {m.unit.name})" if m.unit else ")")) for m in members]

    def users(self):
        return [self.members[pk] for pk in self.cleaned_data["auditors"]]


class FindingForm(forms.Form):
    finding = forms.CharField(label="What the audits found", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Say what the audits found"})
    theme = forms.CharField(label="Theme", required=False, max_length=120)
    objective = forms.ChoiceField(label="Plan objective the action serves")
    title = forms.CharField(label="Action", max_length=300, error_messages={"required": "Enter the action's title"})
    due = GovukDateField(label="Due")

    def __init__(self, *args, org, **kwargs):
        from carestat.plans.models import Objective

        super().__init__(*args, **kwargs)
        self.objectives = {str(o.pk): o for o in Objective.objects.filter(
            priority__plan__organisation=org, is_archived=False, priority__plan__is_archived=False)
            .select_related("priority__plan")}
        self.fields["objective"].choices = [("", "Choose an objective")] + [
            (pk, f"{o.priority.plan.title}: {o.statement}") for pk, o in self.objectives.items()]

    def clean_objective(self):
        return self.objectives.get(self.cleaned_data["objective"])


def audit_form_class(tool_version: ToolVersion):
    """A form for one audit, with a grade and a comment for each question of the tool version."""
    choices = [(v, label) for v, label in tool_version.scale]
    fields = {}
    for q in tool_version.questions:
        fields[f"grade_{q['code']}"] = forms.ChoiceField(label=f"{q['code']}. {q['text']}", required=False,
                                                         choices=choices, widget=forms.RadioSelect)
        fields[f"comment_{q['code']}"] = forms.CharField(label=f"Comment on {q['code']}", required=False,
                                                         widget=forms.Textarea(attrs={"rows": 2}))
    fields["overall"] = forms.ChoiceField(label="Overall grade", required=False, choices=choices,
                                          widget=forms.RadioSelect)
    fields["strengths"] = forms.CharField(label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    fields["improvements"] = forms.CharField(label="Areas to improve", required=False,
                                             widget=forms.Textarea(attrs={"rows": 3}))
    fields["themes"] = forms.CharField(label="Themes", required=False, max_length=500,
                                       help_text="Separated by commas, such as ‘Voice of the child, Supervision’.")
    fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
    return type("AuditForm", (forms.Form,), fields)
