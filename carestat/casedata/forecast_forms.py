from django import forms

from carestat.analytics.work_types import work_type_label
from carestat.core.govuk_forms import GovukDateField


class ForecastForm(forms.Form):
    work_type = forms.ChoiceField(label="Work type", error_messages={
        "required": "Choose a work type", "invalid_choice": "Choose a work type from the list"})
    extra_per_week = forms.DecimalField(
        label="Extra completions a week", required=False, min_value=0, max_value=100000, decimal_places=1,
        help_text="Capacity added on top of today's, such as a managed service. Leave blank for none.",
        error_messages={"invalid": "Enter a number, like 40", "min_value": "Enter 0 or more"},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    extra_from = GovukDateField(label="Extra capacity starts", required=False,
                                help_text="For example, 1 10 2026. Leave blank to start with the forecast.")
    extra_weeks = forms.IntegerField(
        label="For how many weeks", required=False, min_value=1, max_value=520,
        help_text="Leave blank for the whole forecast.",
        error_messages={"invalid": "Enter a whole number of weeks", "min_value": "Enter 1 or more",
                        "max_value": "Enter 520 or fewer"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    as_of = GovukDateField(label="Forecast as of", required=False,
                           help_text="For example, 1 4 2025. Leave blank to forecast from the latest data loaded.")
    title = forms.CharField(label="Name for the saved forecast", required=False, max_length=200)

    def __init__(self, *args, work_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_type"].choices = [("", "Choose a work type")] + [
            (w, work_type_label(w)) for w in work_types]

    def options(self) -> dict:
        d = self.cleaned_data
        return {"extra_per_week": d.get("extra_per_week") or 0, "extra_from": d.get("extra_from"),
                "extra_weeks": d.get("extra_weeks"), "as_of": d.get("as_of")}
