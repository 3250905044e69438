"""Future-need forms: text in, checked by the services (which hold the rules), errors by field."""

from __future__ import annotations

from django import forms

from carestat.analytics import demand as calc

PLACEMENT_CHOICES = [(p, calc.PLACEMENT_NAMES[p]) for p in calc.PLACEMENTS]
BAND_CHOICES = [("", "All ages")] + [(b, f"Aged {b}") for b in calc.AGE_BANDS]


class PopulationForm(forms.Form):
    name = forms.CharField(label="What the projection is", max_length=200, required=False,
                           help_text="For example: ONS 2022-based subnational population projections.")
    file = forms.FileField(label="Population projection (.csv)",
                           error_messages={"required": "Choose the population projection file to load"})


class RatesForm(forms.Form):
    file = forms.FileField(label="Prevalence rates (.csv)",
                           help_text="Columns: need, age_band, sex, rate, source, year.",
                           error_messages={"required": "Choose the prevalence rates file to load"})


class RateForm(forms.Form):
    rate = forms.CharField(label="Rate", max_length=20,
                           help_text="A share of the population, such as 0.125, or a percentage, such as 12.5%.")
    source = forms.CharField(label="Source", max_length=300,
                             error_messages={"required": "Say where the rate comes from"})
    source_year = forms.CharField(label="Year of the source", max_length=4, required=False)


class NeedForm(forms.Form):
    code = forms.CharField(label="Code", max_length=40)
    name = forms.CharField(label="Name", max_length=200)
    support_reason = forms.CharField(label="CLD primary support reason", max_length=100, required=False,
                                     help_text="Long-term support users whose primary support reason starts with "
                                               "this are counted as the service users for the need.")
    unit_cost = forms.CharField(label="Unit cost a year (£)", max_length=20, required=False)
    base_year = forms.CharField(label="Financial year of the unit cost", max_length=7, required=False,
                                help_text="Such as 2026-27.")
    inflation_percent = forms.CharField(label="Inflation (% a year)", max_length=6, required=False, initial="0")
    cost_source = forms.CharField(label="Where the unit cost comes from", max_length=300, required=False)


class ChildrenRunForm(forms.Form):
    years = forms.TypedChoiceField(label="Years to project", choices=[(str(i), str(i)) for i in range(1, 6)],
                                   coerce=int, initial="3")
    reference_years = forms.TypedChoiceField(
        label="Reference window (years before the latest return)", coerce=int, initial="2",
        choices=[(str(i), str(i)) for i in range(1, 6)],
        help_text="Transition and entry rates are those seen over this window.")
    resamples = forms.TypedChoiceField(label="Resamples for the confidence interval", coerce=int, initial="200",
                                       choices=[("0", "None"), ("100", "100"), ("200", "200"), ("1000", "1,000")])
    scenario = forms.ChoiceField(label="Scenario", required=False)

    def __init__(self, *args, scenarios=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [("", "Baseline (no changes)")] + [(str(s.pk), s.name) for s in scenarios]


class BacktestForm(forms.Form):
    years = forms.TypedChoiceField(label="Years to compare", coerce=int, initial="1",
                                   choices=[(str(i), str(i)) for i in range(1, 4)])
    reference_years = forms.TypedChoiceField(label="Reference window (years)", coerce=int, initial="1",
                                             choices=[(str(i), str(i)) for i in range(1, 4)])


class ScenarioForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label="Change", choices=[("step_down", "Step down from one placement to another"),
                                                      ("entry_rate", "Entries to care up or down")])
    percent = forms.CharField(label="Percentage", max_length=8,
                              help_text="Step-down: the share of children in the first placement moving each year. "
                                        "Entries: the change, such as -10.")
    from_placement = forms.ChoiceField(label="From placement (step-down)", choices=PLACEMENT_CHOICES,
                                       initial="residential")
    to_placement = forms.ChoiceField(label="To placement (step-down)", choices=PLACEMENT_CHOICES,
                                     initial="fostering_in_house")
    band = forms.ChoiceField(label="Age band", choices=BAND_CHOICES, required=False)
    in_report = forms.BooleanField(label="Name this scenario in the committee report", required=False)

    def changes(self) -> list[dict]:
        d = self.cleaned_data
        c = {"kind": d["kind"], "percent": d["percent"], "band": d.get("band") or ""}
        if d["kind"] == "step_down":
            c["from"], c["to"] = d["from_placement"], d["to_placement"]
        return [c]
