import sys
from pathlib import Path

from django.core.management.base import CommandError

from carestat.analytics.words import count_of
from carestat.casedata import selectors as casedata_selectors
from carestat.casedata import services
from carestat.casedata.models import Format, SubmissionProblem, SubmissionStatus
from carestat.core.jobs import cli_progress
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.measures import selectors as measure_selectors


class Command(CareStatCommand):
    help = (
        "Validate and load a statutory return or case extract (format detected, or --format), then "
        "recompute the measures it feeds. A return with rule errors is not loaded unless "
        "--accept-with-errors leaves the faulty records out; loading the same file twice changes "
        "nothing. Exits 1 with the validation report when nothing was loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="The file, or the files of one SSDA903 return")
        parser.add_argument("--org", required=True, help="Organisation short name")
        parser.add_argument("--format", choices=Format.values)
        parser.add_argument("--year", type=int, help="SSDA903 collection year (e.g. 2025 for 2024-25)")
        parser.add_argument("--accept-with-errors", action="store_true",
                            help="Load, leaving out the records with errors (each measure says how many)")
        parser.add_argument("--confirm-fewer-records", action="store_true",
                            help="Replace the current return for the period even though this one holds "
                                 "materially (over 20%%) fewer records")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--queue", action="store_true",
                            help="Queue the load for `carestat worker` (a copy of the files; yours are kept) "
                                 "and print its job, instead of loading now")

    def handle(self, *args, **opts):
        org = get_org(opts["org"])
        access = command_access(org, opts["as_user"])
        paths = [Path(p) for p in opts["paths"]]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        if opts["queue"]:
            job = queue_load(access, paths, {"format": opts["format"], "year": opts["year"],
                                             "accept_with_errors": opts["accept_with_errors"],
                                             "confirm_fewer": opts["confirm_fewer_records"]})
            self.stdout.write(self.style.SUCCESS(f"Queued job {job.pk}: {job.title}. `carestat worker` runs it; "
                                                 f"follow it at /o/{org.slug}/jobs/{job.pk}/"))
            return
        self.stdout.write(f"Loading {', '.join(p.name for p in paths)} for {org.name}")
        submission = services.ingest(
            access, paths, format=opts["format"], year=opts["year"],
            accept_with_errors=opts["accept_with_errors"], progress=cli_progress(self.stdout),
            confirm_fewer=opts["confirm_fewer_records"],
        )
        problems = SubmissionProblem.objects.filter(submission=submission)
        if submission.status == SubmissionStatus.REJECTED:
            for p in problems.filter(severity="error")[:200]:
                self.stderr.write(f"ERROR [{p.rule}] {p.file}, {p.location}, {p.field}: {p.message}")
            if submission.error_count > 200:
                self.stderr.write(f"... and {submission.error_count - 200} more errors")
            raise CommandError(f"Not loaded: {submission.rejection_reason}")
        if submission.status == SubmissionStatus.DUPLICATE:
            self.stdout.write(self.style.WARNING("Already loaded: this exact content is there, so nothing changed."))
            self._measures_state(org)
            return
        for p in problems.filter(severity="warning")[:20]:
            self.stdout.write(f"warning [{p.rule}] {p.file}, {p.location}, {p.field}: {p.message}")
        rows = ", ".join(f"{t} {n:,}" for t, n in submission.row_counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded submission {submission.pk} ({submission.period_label}): {rows}"))
        if submission.quarantined_records:
            self.stdout.write(self.style.WARNING(
                f"{submission.quarantined_records} records left out for errors: {submission.quarantine_reasons}"))
        self._measures_state(org)
        sys.stdout.flush()

    def _measures_state(self, org):
        waiting = casedata_selectors.awaiting_measures(org)
        failed = next((s.measures_error for s in waiting if s.measures_error), "")
        if failed:
            raise CommandError(f"Loaded; measures not yet computed: {failed}\nThe data is stored. "
                               f"Once the cause is fixed, run: carestat recompute --org {org.slug}")
        if waiting:
            self.stdout.write(self.style.WARNING(
                f"Measures have not yet been computed from {count_of(len(waiting), 'loaded return')}; "
                f"run: carestat recompute --org {org.slug}"))
        pending = measure_selectors.pending_revisions(org).count()
        if pending:
            self.stdout.write(self.style.WARNING(
                f"Awaiting a manager's approval because they differ from approved figures: "
                f"{count_of(pending, 'recomputed figure')} "
                f"(Measures > Recomputed figures)"))


def queue_load(access, paths, options):
    """Queue the same ``casedata.ingest`` task as the upload page, on copies of ``paths``."""
    import shutil
    import uuid

    from django.conf import settings

    from carestat.core.jobs import enqueue_job

    folder = Path(settings.UPLOADS_DIR) / access.organisation.slug / uuid.uuid4().hex
    folder.mkdir(parents=True)
    for p in paths:
        shutil.copyfile(p, folder / p.name)
    return enqueue_job(access.organisation, access.user, "casedata.ingest",
                       f"Loading {', '.join(p.name for p in paths)}"[:200],
                       params={"user_id": access.user.pk, "org_slug": access.organisation.slug,
                               "files": [p.name for p in paths], "names": [p.name for p in paths],
                               "options": options},
                       upload_dir=folder)
