from __future__ import annotations

from django import forms

from carestat.core.govuk_forms import GovukDateField
from carestat.core.models import Membership, Unit
from carestat.measures.models import Measure
from carestat.plans.models import Action, Objective, Priority
from carestat.risks.models import (
    Appetite,
    AssessmentKind,
    Effectiveness,
    ReviewFrequency,
    RiskCategory,
    RiskStatus,
    matrix_for,
)


def _pick(model_qs, pk, message):
    if not pk:
        return None
    obj = model_qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise forms.ValidationError(message)
    return obj


class RiskForm(forms.Form):
    ref = forms.CharField(label="Reference", max_length=20, help_text="Such as R01.",
                          error_messages={"required": "Enter the risk's reference, such as R01"})
    title = forms.CharField(label="Title", max_length=300, error_messages={"required": "Enter the risk's title"})
    cause = forms.CharField(label="Cause", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            help_text="Because of …")
    event = forms.CharField(label="Event", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            help_text="There is a risk that …")
    consequence = forms.CharField(label="Consequence", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  help_text="Which would lead to …")
    category = forms.ChoiceField(label="Category", error_messages={"required": "Choose the risk's category",
                                                                   "invalid_choice": "Choose a category from the list"})
    owner = forms.ChoiceField(label="Owner", required=False,
                              error_messages={"invalid_choice": "Choose the owner from the organisation's members"})
    unit = forms.ChoiceField(label="Unit", required=False,
                             error_messages={"invalid_choice": "Choose the unit from the list"})
    priority = forms.ChoiceField(label="Plan priority or theme", required=False,
                                 help_text="Optional: the plan priority the risk threatens.",
                                 error_messages={"invalid_choice": "Choose a priority from the list"})
    review_frequency = forms.ChoiceField(label="Review frequency", choices=ReviewFrequency.choices,
                                         widget=forms.RadioSelect,
                                         error_messages={"required": "Choose how often the risk is reviewed"})
    next_review = GovukDateField(label="Next review date", required=False,
                                 help_text="Leave blank to set it from today and the review frequency.")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["category"].choices = [("", "Choose a category")] + [
            (str(c.pk), f"{c.name} ({c.appetite_words})")
            for c in RiskCategory.objects.filter(organisation=organisation, is_archived=False)]
        members = (Membership.objects.filter(organisation=organisation, is_active=True).select_related("user")
                   .order_by("user__full_name"))
        self.fields["owner"].choices = [("", "No owner yet")] + [(str(m.user_id), m.user.display_name)
                                                                 for m in members]
        self.fields["unit"].choices = [("", "No particular unit")] + [
            (str(u.pk), u.name) for u in Unit.objects.filter(organisation=organisation, is_archived=False)]
        self.fields["priority"].choices = [("", "Not tied to a plan")] + [
            (str(p.pk), f"{p.plan.title}: {p.title}")
            for p in Priority.objects.filter(plan__organisation=organisation, is_archived=False,
                                             plan__is_archived=False).select_related("plan")]

    def clean_category(self):
        return _pick(RiskCategory.objects.filter(organisation=self.organisation), self.cleaned_data["category"],
                     "Choose a category from the list")

    def clean_owner(self):
        pk = self.cleaned_data.get("owner")
        if not pk:
            return None
        member = Membership.objects.filter(organisation=self.organisation, is_active=True, user_id=pk).first()
        if member is None:
            raise forms.ValidationError("Choose the owner from the organisation's members")
        return member.user

    def clean_unit(self):
        return _pick(Unit.objects.filter(organisation=self.organisation), self.cleaned_data.get("unit"),
                     "Choose the unit from the list")

    def clean_priority(self):
        return _pick(Priority.objects.filter(plan__organisation=self.organisation),
                     self.cleaned_data.get("priority"), "Choose a priority from the list")


class RiskChangeForm(RiskForm):
    status = forms.ChoiceField(label="Status", choices=RiskStatus.choices, widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class AssessForm(forms.Form):
    kind = forms.ChoiceField(label="Which score", choices=AssessmentKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose inherent, current or target"})
    likelihood = forms.ChoiceField(label="Likelihood", widget=forms.RadioSelect,
                                   error_messages={"required": "Choose the likelihood",
                                                   "invalid_choice": "Choose a likelihood on the matrix"})
    impact = forms.ChoiceField(label="Impact", widget=forms.RadioSelect,
                               error_messages={"required": "Choose the impact",
                                               "invalid_choice": "Choose an impact on the matrix"})
    assessed_on = GovukDateField(label="Date assessed", required=False, help_text="Leave blank for today.")
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="What has changed, or the evidence for the score.",
                             error_messages={"required": "Give the reason for the score"})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        m = matrix_for(organisation)
        self.fields["likelihood"].choices = [(str(i + 1), f"{i + 1} {n}") for i, n in enumerate(m.likelihood)]
        self.fields["impact"].choices = [(str(i + 1), f"{i + 1} {n}") for i, n in enumerate(m.impact)]

    def clean_likelihood(self):
        return int(self.cleaned_data["likelihood"])

    def clean_impact(self):
        return int(self.cleaned_data["impact"])


class ControlForm(forms.Form):
    description = forms.CharField(label="Control", widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Something already in place that reduces the risk.",
                                  error_messages={"required": "Describe the control"})
    effectiveness = forms.ChoiceField(label="How effective is it?", choices=Effectiveness.choices,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": "Choose how effective the control is"})


class ControlChangeForm(ControlForm):
    is_archived = forms.BooleanField(label="No longer in place (archive it)", required=False)


class LinkActionForm(forms.Form):
    action = forms.ChoiceField(label="Plan action", error_messages={"required": "Choose an action",
                                                                    "invalid_choice": "Choose an action from the list"})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["action"].choices = [("", "Choose an action")] + [
            (str(a.pk), f"{a.objective.priority.plan.title}: {a.title}")
            for a in Action.objects.filter(objective__priority__plan__organisation=organisation, is_archived=False)
            .select_related("objective__priority__plan")]

    def clean_action(self):
        return _pick(Action.objects.filter(objective__priority__plan__organisation=self.organisation),
                     self.cleaned_data["action"], "Choose an action from the list")


class NewActionForm(forms.Form):
    objective = forms.ChoiceField(label="Plan objective it serves",
                                  error_messages={"required": "Choose the objective the action serves",
                                                  "invalid_choice": "Choose an objective from the list"})
    title = forms.CharField(label="Action", max_length=300, error_messages={"required": "Enter the action's title"})
    due = GovukDateField(label="Due date", error_messages={"required": "Enter the date the action is due"})
    owner = forms.ChoiceField(label="Owner", required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["objective"].choices = [("", "Choose an objective")] + [
            (str(o.pk), f"{o.priority.plan.title}: {o.statement[:100]}")
            for o in Objective.objects.filter(priority__plan__organisation=organisation, is_archived=False,
                                              priority__plan__is_archived=False)
            .select_related("priority__plan")]
        members = (Membership.objects.filter(organisation=organisation, is_active=True).select_related("user")
                   .order_by("user__full_name"))
        self.fields["owner"].choices = [("", "No owner yet")] + [(str(m.user_id), m.user.display_name)
                                                                 for m in members]

    def clean_objective(self):
        return _pick(Objective.objects.filter(priority__plan__organisation=self.organisation),
                     self.cleaned_data["objective"], "Choose an objective from the list")

    def clean_owner(self):
        pk = self.cleaned_data.get("owner")
        if not pk:
            return None
        member = Membership.objects.filter(organisation=self.organisation, is_active=True, user_id=pk).first()
        if member is None:
            raise forms.ValidationError("Choose the owner from the organisation's members")
        return member.user


class LinkMeasureForm(forms.Form):
    measure = forms.ChoiceField(label="Measure", error_messages={"required": "Choose a measure",
                                                                 "invalid_choice": "Choose a measure from the list"})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["measure"].choices = [("", "Choose a measure")] + [
            (str(m.pk), f"{m.code}: {m.title}") for m in Measure.objects.filter(organisation=organisation,
                                                                               is_archived=False)]

    def clean_measure(self):
        return _pick(Measure.objects.filter(organisation=self.organisation), self.cleaned_data["measure"],
                     "Choose a measure from the list")


class IssueForm(forms.Form):
    occurred_on = GovukDateField(label="Date it happened", error_messages={"required": "Enter the date it happened"})
    note = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Say what happened"})


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="Why are you archiving this risk?", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Give the reason for archiving the risk"})


class CategoryForm(forms.Form):
    name = forms.CharField(label="Category", max_length=100, error_messages={"required": "Enter the category's name"})
    appetite = forms.ChoiceField(label="Appetite", choices=Appetite.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the appetite"})
    max_target_score = forms.IntegerField(label="Highest acceptable current score", min_value=1,
                                          help_text="Risks of this category scoring above this are flagged.",
                                          error_messages={"required": "Enter the highest acceptable score",
                                                          "invalid": "Enter a whole number, like 8",
                                                          "min_value": "The score must be 1 or more"})


class CategoryChangeForm(CategoryForm):
    is_archived = forms.BooleanField(label="Archived (no longer used for new risks)", required=False)


class MatrixForm(forms.Form):
    likelihood = forms.CharField(label="Likelihood levels, lowest first", widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text="One name a line.",
                                 error_messages={"required": "Name the likelihood levels"})
    impact = forms.CharField(label="Impact levels, lowest first", widget=forms.Textarea(attrs={"rows": 5}),
                             help_text="One name a line.", error_messages={"required": "Name the impact levels"})
    bands = forms.CharField(label="Bands, lowest first", widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="One a line: name, first score, colour (green, yellow, amber or red). "
                                      "For example: High, 10, amber",
                            error_messages={"required": "Give the bands"})

    def clean_bands(self):
        from carestat.analytics.risks import Band

        out = []
        for n, line in enumerate(self.cleaned_data["bands"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 3 or not parts[1].isdigit():
                raise forms.ValidationError(f"Line {n}: write the band as name, first score, colour "
                                            "(such as High, 10, amber)")
            out.append(Band(parts[0], int(parts[1]), parts[2].lower()))
        return out

    def names(self, field):
        return [n.strip() for n in self.cleaned_data[field].splitlines() if n.strip()]


class ImportForm(forms.Form):
    workbook = forms.FileField(label="Risk register workbook (.xlsx)", error_messages={"required": "Choose a workbook"})

