from django import forms

from carestat.jurisdictions.models import BODIES


class BodyNamesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, default, about in BODIES:
            self.fields[name] = forms.CharField(
                label=f"Name for {about}", required=False, max_length=120,
                help_text=f"Leave blank for ‘{default}’.")
