"""Django forms rendered with GOV.UK Frontend macros, through one adapter.

``govuk_params(bound_field)`` turns a bound field into the macro name and its parameters;
the ``field`` macro in templates/macros/forms.html calls the matching GOV.UK macro.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]


class GovukDateField(forms.Field):
    widget = GovukDateWidget
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "The date must include a day, month and year",
        "invalid": "Enter a real date, like 27 3 2025",
    }

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value
        if not value or not any(value):
            return None
        if not all(value):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            day, month, year = (int(v) for v in value)
            if year < 1900 or year > 2100:
                raise ValueError
            return dt.date(year, month, day)
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (an SSDA903 return is a set of CSV files)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def _label(bound, is_page_heading: bool = False) -> dict[str, Any]:
    label = {"text": str(bound.label)}
    if is_page_heading:
        label.update(isPageHeading=True, classes="govuk-label--l")
    return label


def govuk_params(bound: forms.BoundField, overrides: dict | None = None) -> dict[str, Any]:
    widget = bound.field.widget
    overrides = dict(overrides or {})
    error = {"text": " ".join(str(e) for e in bound.errors)} if bound.errors else None
    hint = {"text": str(bound.help_text)} if bound.help_text else None
    base: dict[str, Any] = {"id": bound.id_for_label or bound.auto_id, "name": bound.html_name}
    if hint:
        base["hint"] = hint
    if error:
        base["errorMessage"] = error
    value = bound.value()

    if isinstance(widget, forms.HiddenInput):
        # Carried, never shown: such as the version of the record a form was opened on.
        return {"macro": "hidden", "params": {"name": bound.html_name, "value": "" if value is None else value}}

    if isinstance(widget, GovukDateWidget):
        parts = value if isinstance(value, list) else GovukDateWidget().decompress(value)
        params = {
            "id": bound.auto_id,
            "namePrefix": bound.html_name,
            "fieldset": {"legend": {"text": str(bound.label), "classes": "govuk-fieldset__legend--s"}},
            "items": [
                {"name": name, "label": label, "value": part or "",
                 "classes": f"govuk-input--width-{width}" + (" govuk-input--error" if error else "")}
                for (name, label, width), part in zip(
                    (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)), parts, strict=False)
            ],
        }
        if hint:
            params["hint"] = hint
        if error:
            params["errorMessage"] = error
        params.update(overrides)
        return {"macro": "date", "params": params}

    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        multiple = isinstance(widget, forms.CheckboxSelectMultiple)
        chosen = {str(v) for v in (value or [])} if multiple else {str(value)}
        params = {
            "name": bound.html_name,
            "idPrefix": bound.auto_id,
            "fieldset": {"legend": {"text": str(bound.label), "classes": "govuk-fieldset__legend--s"}},
            "items": [
                {"value": str(v), "text": str(t), "checked": str(v) in chosen}
                for v, t in bound.field.choices
                if str(v) != ""
            ],
        }
        if hint:
            params["hint"] = hint
        if error:
            params["errorMessage"] = error
        params.update(overrides)
        return {"macro": "checkboxes" if multiple else "radios", "params": params}

    if isinstance(widget, forms.CheckboxInput):
        params = {
            "name": bound.html_name,
            "idPrefix": bound.auto_id,
            "items": [{"value": "on", "text": str(bound.label), "checked": bool(value)}],
        }
        if hint:
            params["hint"] = hint
        if error:
            params["errorMessage"] = error
        params.update(overrides)
        return {"macro": "checkboxes", "params": params}

    params = {**base, "label": _label(bound)}
    if isinstance(widget, forms.Select) and any(isinstance(t, list | tuple) for _, t in bound.field.choices):
        # Grouped choices (Django's (group, [(value, text), ...])) as <optgroup>s, which GOV.UK's
        # select macro lacks: macros/forms.html renders them with the same classes.
        params["groups"] = [
            {"label": str(g), "items": [{"value": str(v), "text": str(t), "selected": str(v) == str(value)}
                                        for v, t in options]}
            if isinstance(options, list | tuple) else
            {"label": "", "items": [{"value": str(g), "text": str(options), "selected": str(g) == str(value)}]}
            for g, options in bound.field.choices
        ]
        macro = "grouped_select"
    elif isinstance(widget, forms.Select):
        params["items"] = [
            {"value": str(v), "text": str(t), "selected": str(v) == str(value)} for v, t in bound.field.choices
        ]
        macro = "select"
    elif isinstance(widget, forms.Textarea):
        params["value"] = value or ""
        macro = "textarea"
    elif isinstance(widget, forms.PasswordInput):
        params["value"] = ""
        params["autocomplete"] = widget.attrs.get("autocomplete", "current-password")
        macro = "password"
    elif isinstance(widget, forms.FileInput):
        params["multiple"] = bool(getattr(widget, "allow_multiple_selected", False))
        macro = "file"
    else:
        params["value"] = "" if value is None else value
        params["type"] = getattr(widget, "input_type", "text")
        if widget.attrs.get("autocomplete"):
            params["autocomplete"] = widget.attrs["autocomplete"]
        if params["type"] == "number":
            params["type"] = "text"
            params["inputmode"] = "decimal"
        if widget.attrs.get("spellcheck") is False or params["type"] == "email":
            params["spellcheck"] = False
        macro = "input"
    params.update(overrides)
    return {"macro": macro, "params": params}


def govuk_error_items(form: forms.Form) -> list[dict[str, str]]:
    items = []
    for error in form.non_field_errors():
        items.append({"text": str(error), "href": "#main-content"})
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        bound = form[name]
        anchor = bound.auto_id
        if isinstance(bound.field.widget, GovukDateWidget):
            anchor = f"{bound.auto_id}-day"
        elif isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            anchor = bound.auto_id  # the first item's id is the prefix itself
        for error in errors:
            items.append({"text": str(error), "href": f"#{anchor}"})
    return items


def apply_service_error(form: forms.Form, error) -> None:
    """Show a service error on the field it names, or above the form (also when the field it
    names is hidden, such as a stale version, so that the error summary can point to it)."""
    field = getattr(error, "field", None)
    shown = field in form.fields and not form.fields[field].widget.is_hidden
    form.add_error(field if shown else None, error.message)
