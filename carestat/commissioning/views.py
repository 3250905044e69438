"""Commissioning pages: thin views over carestat.commissioning.services and .selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from carestat.analytics import commissioning as calc
from carestat.analytics.finance import format_money, format_thousands
from carestat.commissioning import selectors, services
from carestat.commissioning.access import get_contract_for_user, get_provider_for_user
from carestat.commissioning.forms import ImportForm, MatchForm, MergeForm, ProviderForm, SettingsForm
from carestat.commissioning.models import settings_for
from carestat.core.errors import NotAllowed, ServiceError
from carestat.core.govuk_forms import apply_service_error
from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page, posted, posted_files

SECTION = "commissioning"


def _page(request, template, title, **context):
    return page(request, template, title, section=SECTION, money=format_money, thousands=format_thousands,
                sector_labels={**calc.GROUP_LABELS, **{k.value: v for k, v in calc.SECTOR_LABELS.items()}},
                service_labels={**{k.value: v for k, v in calc.SERVICE_LABELS.items()}, "unclassified": "Not given"},
                **context)


def _crumbs(access, *items):
    return [{"text": "Commissioning", "href": f"/o/{access.organisation.slug}/commissioning/"}, *items]


def _call(form, fn):
    try:
        return fn()
    except NotAllowed:
        raise
    except ServiceError as exc:
        apply_service_error(form, exc)
        return None


@login_required
@require_safe
def market_map(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    m = selectors.market(access.organisation)
    chosen = m.year(request.GET.get("year", "")) or m.latest
    return _page(request, "commissioning/market.html", "Commissioning and the provider market", m=m, y=chosen,
                 charts=selectors.charts(m))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def providers(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    form = ProviderForm(posted(request))
    if request.method == "POST" and form.is_valid():
        p = _call(form, lambda: services.add_provider(access, **form.values()))
        if p:
            messages.success(request, f"Added provider ‘{p.name}’.")
            return redirect("commissioning:provider", slug, p.pk)
    return _page(request, "commissioning/providers.html", "Providers", form=form,
                 rows=selectors.providers(access.organisation),
                 duplicates=services.duplicates(access.organisation), breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def provider_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    provider = get_provider_for_user(access, pk)
    if request.method == "POST":
        access.require(Perm.MANAGE)
    form = MergeForm(posted(request), org=access.organisation, keep=provider)
    if request.method == "POST" and form.is_valid():
        drop = form.cleaned_data["drop"]
        if _call(form, lambda: services.merge_providers(access, provider, drop, reason=form.cleaned_data["reason"])):
            messages.success(request, f"Merged ‘{drop.name}’ into ‘{provider.name}’.")
            return redirect("commissioning:provider", slug, provider.pk)
    org = access.organisation
    return _page(request, "commissioning/provider.html", provider.name, provider=provider, form=form,
                 contracts=selectors.contracts(org).filter(provider=provider),
                 spend=selectors.provider_spend(org, provider), ratings=provider.ratings.all(),
                 aliases=provider.aliases.all(),
                 breadcrumbs=_crumbs(access, {"text": "Providers", "href": f"/o/{slug}/commissioning/providers/"}))


@login_required
@require_safe
def contracts(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    return _page(request, "commissioning/contracts.html", "Contracts register",
                 rows=selectors.contracts(access.organisation), breadcrumbs=_crumbs(access))


@login_required
@require_safe
def contract_page(request, slug, pk):
    access = org_access(request, slug, Perm.VIEW)
    contract = get_contract_for_user(access, pk)
    return _page(request, "commissioning/contract.html", f"{contract.reference} {contract.title}", contract=contract,
                 breadcrumbs=_crumbs(access, {"text": "Contracts register",
                                              "href": f"/o/{slug}/commissioning/contracts/"}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def payments(request, slug):
    access = org_access(request, slug, Perm.VIEW if request.method != "POST" else Perm.MANAGE)
    org = access.organisation
    form = MatchForm(posted(request), org=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        n = _call(form, lambda: services.match_supplier(access, d["supplier_key"], d["provider"]))
        if n:
            messages.success(request, f"Matched {n} payment{'s' if n != 1 else ''} to ‘{d['provider'].name}’; "
                                      "later files will match this supplier too.")
            return redirect("commissioning:payments", slug)
    return _page(request, "commissioning/payments.html", "Payments and suppliers to match", form=form,
                 queue=services.unmatched(org, limit=100), rows=selectors.payments(org, limit=100),
                 breadcrumbs=_crumbs(access))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_file(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    form = ImportForm(posted(request), posted_files(request))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if form.cleaned_data["kind"] == "payments" and upload.size > JOB_FROM_BYTES:
            return redirect("core:job", slug, _payments_job(access, request.user, upload).pk)
        try:
            result = services.import_file(access, form.cleaned_data["kind"], upload.read(), filename=upload.name)
        except services.ImportInvalid as exc:
            problems = exc.problems
            form.add_error("file", f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                                   "nothing was imported. Fix them and upload it again.")
        except NotAllowed:
            raise
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, result.summary)
            return redirect("commissioning:import", slug)
    s = settings_for(access.organisation)
    return _page(request, "commissioning/import.html", "Import a file", form=form, problems=problems,
                 contract_columns=s.contracts(), payment_columns=s.payments(),
                 imports=selectors.imports(access.organisation), breadcrumbs=_crumbs(access))


# A payments file larger than this loads in the job queue, with progress on the job page, so a
# year of spend (hundreds of thousands of rows) never holds a web request.
JOB_FROM_BYTES = 2_000_000


def _payments_job(access, user, upload):
    import uuid
    from pathlib import Path

    from django.conf import settings

    from carestat.core.jobs import enqueue_job

    folder = Path(settings.UPLOADS_DIR) / access.organisation.slug / uuid.uuid4().hex
    folder.mkdir(parents=True)
    with (folder / "payments.csv").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    title = f"Loading payments file {upload.name}"[:200]
    return enqueue_job(access.organisation, user, "commissioning.payments", title,
                       params={"user_id": user.pk, "org_slug": access.organisation.slug, "file": "payments.csv",
                               "name": upload.name}, upload_dir=folder)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def commissioning_settings(request, slug):
    access = org_access(request, slug, Perm.MANAGE)
    s = settings_for(access.organisation)
    initial = {**{f"contract_{k}": v for k, v in s.contracts().items()},
               **{f"payment_{k}": v for k, v in s.payments().items()}}
    form = SettingsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        if _call(form, lambda: services.save_settings(access, **form.columns())):
            messages.success(request, "Saved the column names of the contracts register and payments file.")
            return redirect("commissioning:import", slug)
    return _page(request, "commissioning/form.html", "Commissioning settings", form=form, button="Save settings",
                 back=f"/o/{slug}/commissioning/import/",
                 intro="Name the columns once as your contracts register and payments file call them; every "
                       "import uses them. Optional columns may be left blank.",
                 breadcrumbs=_crumbs(access))
