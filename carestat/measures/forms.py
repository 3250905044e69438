from django import forms

from carestat.core.forms import _unit_choices
from carestat.core.govuk_forms import GovukDateField
from carestat.core.models import Unit
from carestat.measures.models import BenchmarkKind, CatalogueMeasure, Frequency, Polarity, ToleranceKind

NUMBER = {"invalid": "Enter a number, like 72.5"}


class SettingsFields(forms.Form):
    owner_unit = forms.ChoiceField(label="Owner", required=False, help_text="The unit answerable for this measure.")
    frequency = forms.ChoiceField(label="How often it is reported", choices=Frequency.choices,
                                  widget=forms.RadioSelect, initial=Frequency.QUARTERLY,
                                  error_messages={"required": "Choose how often it is reported"})
    tolerance = forms.DecimalField(label="Tolerance", required=False, initial=0, min_value=0, error_messages=NUMBER,
                                   help_text="How far short of the target still counts as amber rather than red.")
    tolerance_kind = forms.ChoiceField(label="Tolerance is measured", choices=ToleranceKind.choices,
                                       widget=forms.RadioSelect, initial=ToleranceKind.ABSOLUTE)
    is_public = forms.BooleanField(label="Published: suppress small numbers in its public view", required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["owner_unit"].choices = _unit_choices(organisation, blank="No particular unit")

    def clean_owner_unit(self):
        pk = self.cleaned_data.get("owner_unit")
        if not pk:
            return None
        unit = Unit.objects.filter(organisation=self.organisation, pk=pk).first()
        if unit is None:
            raise forms.ValidationError("Choose a unit from the list")
        return unit


class AdoptMeasureForm(SettingsFields):
    code = forms.ChoiceField(label="Measure from the catalogue", error_messages={"required": "Choose a measure"})
    field_order = ["code"]

    def __init__(self, *args, tracked=(), offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        tracked = set(tracked)
        entries = CatalogueMeasure.objects.all() if offered is None else offered
        self.fields["code"].choices = [("", "Choose a measure")] + [
            (c.code, f"{c.code}: {c.title}") for c in entries if c.code not in tracked]


class LocalMeasureForm(SettingsFields):
    code = forms.CharField(label="Code", max_length=40, help_text="Letters, numbers and hyphens, like OT-28DAYS.",
                           error_messages={"required": "Enter a code"})
    title = forms.CharField(label="Title", max_length=300, error_messages={"required": "Enter the title"})
    domain = forms.CharField(label="Domain", max_length=40, help_text="For example adults, children, workforce.",
                             error_messages={"required": "Enter the domain"})
    unit = forms.CharField(label="Unit", max_length=40,
                           help_text="percent, count, days, or words like ‘cases per FTE’.",
                           error_messages={"required": "Enter the unit"})
    polarity = forms.ChoiceField(label="Which way is better", choices=Polarity.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose which way is better"})
    numerator = forms.CharField(label="Numerator", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    denominator = forms.CharField(label="Denominator", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Leave blank for a count.")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["code", "title", "domain", "unit", "polarity", "numerator", "denominator", "notes"]


class ValueForm(forms.Form):
    period = forms.CharField(label="Period", max_length=20, error_messages={"required": "Enter the period"})
    value = forms.DecimalField(label="Value", required=False, error_messages=NUMBER)
    numerator = forms.DecimalField(label="Numerator", required=False, error_messages=NUMBER)
    denominator = forms.DecimalField(label="Denominator", required=False, error_messages=NUMBER)
    is_provisional = forms.BooleanField(label="Provisional: this figure may change", required=False)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="Reason for revising (if the period already has a value)", required=False,
                             max_length=1000)

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        examples = {"monthly": "2026-10", "quarterly": "2026-27-Q2", "annual": "2025-26"}
        example = examples[measure.frequency]
        self.fields["period"].help_text = f"{measure.get_frequency_display()}, for example {example}."
        if measure.is_rate:
            self.fields["value"].help_text = "Leave blank to work it out from the numerator and denominator."
        else:
            del self.fields["numerator"], self.fields["denominator"]


class TargetForm(forms.Form):
    period = forms.CharField(label="Period", max_length=20, help_text="A whole year (2026-27) or one period.",
                             error_messages={"required": "Enter the period"})
    value = forms.DecimalField(label="Target", error_messages={"required": "Enter the target", **NUMBER})
    tolerance = forms.DecimalField(label="Tolerance", required=False, min_value=0, error_messages=NUMBER,
                                   help_text="Leave blank to use the measure's own tolerance.")


class BenchmarkForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of benchmark", choices=BenchmarkKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of benchmark"})
    name = forms.CharField(label="Name", required=False, max_length=120,
                           help_text="For example ‘South East’ or ‘statistical neighbours’.")
    value = forms.DecimalField(label="Value", error_messages={"required": "Enter the value", **NUMBER})
    source = forms.CharField(label="Source", max_length=300, error_messages={"required": "Enter the source"})
    year = forms.CharField(label="Year", max_length=20, help_text="The period it describes, like 2024-25.",
                           error_messages={"required": "Enter the year"})


class ProcessChangeForm(forms.Form):
    starts_on = GovukDateField(label="Date of the change", error_messages={"required": "Enter the date of the change"})
    reason = forms.CharField(label="What changed", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Describe the change"})


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or Excel file", help_text="Columns: code, period, value, and optionally "
                           "numerator, denominator, provisional (yes or no) and note.",
                           error_messages={"required": "Choose a file"})


class ObjectiveLinkForm(forms.Form):
    objective = forms.ChoiceField(label="Plan objective", error_messages={"required": "Choose an objective"})

    def __init__(self, *args, objectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = {str(o.pk): o for o in objectives}
        self.fields["objective"].choices = [("", "Choose an objective")] + [
            (pk, f"{o.priority.plan.title} › {o.priority.title} › {o.statement[:90]}")
            for pk, o in self.objectives.items()]

    def clean_objective(self):
        return self.objectives.get(self.cleaned_data["objective"])


class MeasureSettingsForm(SettingsFields):
    """Owner, tolerance and publication; the frequency is fixed once a measure is tracked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["frequency"]


class RejectRevisionForm(forms.Form):
    reason = forms.CharField(label="Why is the recomputed figure wrong?", min_length=5,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example: the return loaded was incomplete; a corrected one follows.",
                             error_messages={"required": "Say why the recomputed figure is wrong",
                                             "min_length": "Say why in at least 5 characters"})


class AutoApproveForm(forms.Form):
    auto_approve_recomputed = forms.BooleanField(
        label="Approve recomputed figures automatically, without a manager", required=False,
        help_text="When a return is loaded or measures are recomputed, a figure that differs from an approved "
                  "one then replaces it at once. Leave this off so that a faulty return can never change a "
                  "figure a committee has seen without someone checking it.")
