from pathlib import Path

from django.core.management.base import CommandError
from django.http import Http404

from carestat.core.audit import log_action
from carestat.core.jobs import cli_progress
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.models import ReportingPeriod
from carestat.reports import services
from carestat.reports.models import Report, ReportFile, ReportFormat
from carestat.reports.selectors import SCOPE_OBJECTS, covers, latest_published, scope_from


class Command(CareStatCommand):
    help = """Write a committee report for an organisation and period as PDF, Word, Excel or HTML.

    Uses the latest published report for that scope and period if there is one (its frozen
    content, and the file kept for it, so it matches every other download; a corrected re-issue,
    once published, in place of the version it corrects); otherwise builds a
    draft from the figures held now without saving it, showing its progress, and says so.
    Every report written is recorded in the audit trail as an export."""

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organisation's short name, e.g. demoshire")
        parser.add_argument("--period", required=True, help="A reporting period such as 2026-27-Q2")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--plan", type=int, help="The plan's id (default: the whole organisation)")
        scope.add_argument("--unit", type=int, help="A directorate or unit's id")
        scope.add_argument("--remit", type=int, help="A board remit's id")
        parser.add_argument("--format", required=True, choices=services.FORMATS)
        parser.add_argument("-o", "--output", required=True, help="The file to write")
        parser.add_argument("--public", action="store_true", help="The public version: small numbers suppressed")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)

    def handle(self, *args, **o):
        org = get_org(o["org"])
        access = command_access(org, o["as_user"])
        period = ReportingPeriod.objects.filter(organisation=org, identifier=o["period"]).first()
        if period is None:
            known = ", ".join(ReportingPeriod.objects.filter(organisation=org).values_list("identifier", flat=True))
            raise CommandError(f"{org.name} has no reporting period ‘{o['period']}’ (known: {known or 'none'})")
        scope = self._scope(access, o)
        objects = {k: scope.get(k) for k in SCOPE_OBJECTS}
        published = latest_published(org, period, **scope)
        fmt = o["format"]
        label = ReportFormat(fmt).label
        progress = cli_progress(self.stdout)
        if published is not None:
            version = (f"version {published.version_number}, a correction, " if published.version_number > 1
                       else "")
            self.stderr.write(f"Using the published report ‘{published.title}’ (id {published.pk}, {version}"
                              f"published {published.published_at:%-d %B %Y}).")
            kept = ReportFile.objects.filter(report=published, format=fmt, public=o["public"],
                                             status=published.status).exists()
            progress(0, 0, f"Using the {label} kept for it" if kept else f"Making the {label} (kept from now on)")
            data, _, _ = services.export_report(access, published, fmt, public=o["public"], channel="command line")
        else:
            draft = Report(organisation=org, period=period, scope=scope["scope"], **objects,
                           title=services.default_title(org, scope["scope"], period, **objects))
            self.stdout.write(f"Building ‘{draft.title}’ from the figures held now")
            snapshot = services.build_snapshot(draft, progress=progress)
            progress(0, 0, f"Making the {label}")
            data = services.render(snapshot, fmt, public=o["public"], sign_off=draft.sign_off())
            log_action("reports.report.exported", actor=access.user, organisation=org,
                       after={"format": fmt, "public": o["public"], "channel": "command line", "saved": False},
                       message=f"{access.user.display_name} wrote an unsaved draft of ‘{draft.title}’ as "
                               f"{fmt.upper()} from the command line")
            self.stderr.write("No published report for this scope and period: wrote a draft built from the "
                              "figures held now (not saved).")
        Path(o["output"]).write_bytes(data)
        self.stdout.write(f"Wrote {o['output']} ({len(data):,} bytes)")

    @staticmethod
    def _scope(access, o) -> dict:
        """The scope asked for, through the same scoped getters as the pages and the API."""
        words = {"plan": "plan", "unit": "unit", "remit": "board remit"}
        kind = next((k for k in SCOPE_OBJECTS if o[k]), None)
        try:
            return scope_from(access, covers(kind, o[kind]) if kind else "organisation")
        except Http404:
            raise CommandError(f"{access.organisation.name} has no {words[kind]} with id {o[kind]}") from None
