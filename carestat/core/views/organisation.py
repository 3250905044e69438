"""The Organisation page: the settings and records that shape how the whole organisation works
(people, units, periods, names, rules, column names, the audit trail), gathered in one place so
the service navigation keeps to the daily work."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_safe

from carestat.core.permissions import Perm
from carestat.core.views.base import org_access, page

# (heading, [(url name, link text, what it is for, permission needed to open it)]), by purpose.
# A page anyone may read but only some may change is listed for everyone: its own page says who can change it.
GROUPS: list[tuple[str, list[tuple[str, str, str, Perm]]]] = [
    ("People and structure", [
        ("core:members", "Members and roles", "Who can sign in, their role and unit; reset a password.",
         Perm.ADMINISTER),
        ("core:units", "Units", "Directorates, services and teams that own actions and measures.", Perm.ADMINISTER),
        ("jurisdictions:bodies", "Names of your bodies",
         "The words reports use for your council, executive, scrutiny committee and auditor.", Perm.VIEW),
    ]),
    ("Reporting", [
        ("core:periods", "Reporting periods", "Years, quarters and months; close a period to freeze it.",
         Perm.VIEW),
        ("plans:rules", "Plan status rules", "When an action counts as slipped, and whether re-dating needs approval.",
         Perm.ADMINISTER),
        ("reports:remits", "Board remits", "The plans and measures each board or committee oversees.", Perm.VIEW),
        ("reports:rules", "Report approval and drafts",
         "Whether the person who drafted a report may approve it, and who may read drafts.", Perm.ADMINISTER),
        ("reports:word_template", "Word template for reports", "The council's own styles for reports' Word files.",
         Perm.VIEW),
        ("jurisdictions:framework", "Measures in your national framework",
         "The catalogue of measures offered to your jurisdiction, and which you track.", Perm.VIEW),
    ]),
    ("Loading files", [
        ("finance:settings", "Ledger columns and financial tolerances",
         "The column names of the finance system's extract, and when a variance turns amber or red.", Perm.MANAGE),
        ("commissioning:settings", "Contracts and payments columns",
         "The column names of the contracts register and the payments file.", Perm.MANAGE),
    ]),
    ("Risk", [
        ("risks:settings", "Risk scoring and categories", "The likelihood and impact scales, RAG bands and categories.",
         Perm.VIEW),
    ]),
    ("Oversight", [
        ("core:audit_log", "Audit trail", "Every change and sign-in, by person, date and record.", Perm.VIEW_AUDIT),
    ]),
]


def links_for(access) -> list[dict]:
    """The groups of links this person may open, each link with its description."""
    slug = access.organisation.slug
    groups = []
    for heading, links in GROUPS:
        rows = [{"link": format_html('<a class="govuk-link" href="{}">{}</a>', reverse(name, args=[slug]), text),
                 "about": about} for name, text, about, perm in links if access.can(perm)]
        if rows:
            groups.append({"heading": heading, "links": rows})
    return groups


@login_required
@require_safe
def organisation(request, slug):
    access = org_access(request, slug, Perm.VIEW)
    return page(request, "core/organisation.html", "Organisation", section="organisation",
                groups=links_for(access))
