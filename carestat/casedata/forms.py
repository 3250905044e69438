from django import forms
from django.conf import settings

from carestat.casedata.models import Format
from carestat.core.govuk_forms import MultipleFileField


class UploadForm(forms.Form):
    return_files = MultipleFileField(
        label="Files", help_text="One CIN census XML file, or the CSV files of an SSDA903 return, or one "
        "population, client level data, case-event or workforce file.",
        error_messages={"required": "Choose the file or files to load"},
    )
    format = forms.ChoiceField(
        label="Format", required=False, choices=[("", "Work it out from the files")] + list(Format.choices),
    )
    year = forms.IntegerField(
        label="Collection year (SSDA903 only)", required=False, min_value=2010, max_value=2100,
        help_text="The year the return ends, e.g. 2025 for 2024-25. Needed when the file names do not say.",
        error_messages={"invalid": "Enter a year as four digits, like 2025"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    accept_with_errors = forms.BooleanField(
        label="Load it even if some records have errors: leave those records out and say so on every "
        "measure computed from it", required=False,
    )
    confirm_fewer = forms.BooleanField(
        label="Replace the current return for the period even if this one has far fewer records "
        "(CareStat otherwise refuses a replacement with over 20% fewer, in case it is incomplete)", required=False,
    )

    def clean_return_files(self):
        files = self.cleaned_data["return_files"]
        limit = settings.CARESTAT_MAX_UPLOAD_MB * 1024 * 1024
        for f in files:
            if f.size > limit:
                raise forms.ValidationError(
                    f"{f.name} is {f.size / 1024 / 1024:,.0f} MB; the largest file CareStat accepts here is "
                    f"{settings.CARESTAT_MAX_UPLOAD_MB:,} MB. Load larger files with `carestat ingest`."
                )
            if f.size == 0:
                raise forms.ValidationError(f"{f.name} is empty")
        return files
