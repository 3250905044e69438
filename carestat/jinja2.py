"""The Jinja2 environment: GOV.UK Frontend macros, URL and static helpers, date filters."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def govuk_date(value) -> str:
    """9 May 2025, as GOV.UK writes dates."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%-d %B %Y")
    return value.strftime("%-d %B %Y")


def govuk_datetime(value) -> str:
    if value in (None, ""):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def number(value, places: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:,.{places}f}"


def unit_name(unit: str) -> str:
    """A measure's unit as a reader would say it: "Rate per 100,000", "Percentage"."""
    from carestat.analytics.judgements.rag import unit_words

    if not unit:
        return ""
    if unit == "percent":
        return "Percentage"
    name = unit
    if unit.replace("_", " ").startswith("rate per "):
        name = "rate" + unit_words(unit)[0]  # "rate per 100,000"
    return name[:1].upper() + name[1:]


def unread_notifications(access) -> int:
    """How many of the person's notifications in this organisation are unread (the header)."""
    from carestat.core.notifications import unread

    return unread(access.organisation, access.user).count() if access else 0


def environment(**options) -> Environment:
    # Django passes a loader over the project's and apps' jinja2 folders; the GOV.UK macros
    # are imported as "govuk_frontend_jinja/components/..." from the installed package.
    loaders = [options.pop("loader")]
    loaders.append(PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}))
    options["autoescape"] = select_autoescape(default=True, default_for_string=True)
    # The macros read params.a.b where a may be missing, as Nunjucks allows.
    options["undefined"] = ChainableUndefined
    env = Environment(loader=ChoiceLoader(loaders), **options)
    from carestat.core.govuk_forms import govuk_error_items, govuk_params

    env.globals.update(
        govuk_params=govuk_params,
        govuk_error_items=govuk_error_items,
        url=url,
        static=static,
        get_messages=messages.get_messages,
        unread_notifications=unread_notifications,
        service_name="CareStat",
    )
    from carestat.analytics.code_labels import code_label
    from carestat.analytics.words import figure
    from carestat.analytics.work_types import work_type_label
    from carestat.core.exports import count_of

    env.filters.update(govuk_date=govuk_date, govuk_datetime=govuk_datetime, number=number,
                       unit_name=unit_name, count_of=count_of, work_type=work_type_label,
                       figure=figure, code_label=code_label)
    return env
