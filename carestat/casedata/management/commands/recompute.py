from django.core.management.base import CommandError

from carestat.analytics.words import count_of
from carestat.casedata import services
from carestat.core.jobs import cli_progress
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org


class Command(CareStatCommand):
    help = (
        "Compute the measures an organisation's loaded case data feeds, for every period it covers or "
        "only those within --period: for a return whose measures were not computed when it loaded, or "
        "after a change of method or targets. A figure that differs from an approved one waits for a "
        "manager's approval unless the organisation approves recomputed figures automatically; closed "
        "periods are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organisation short name")
        parser.add_argument("--period", help="Only periods within this one, e.g. 2024-25 or 2024-25-Q2")
        parser.add_argument("--as", dest="as_user",
                            help=AS_USER_HELP)
        parser.add_argument("--queue", action="store_true",
                            help="Queue the work for `carestat worker` and print its job, instead of computing now")

    def handle(self, *args, **opts):
        org = get_org(opts["org"])
        access = command_access(org, opts["as_user"])
        if not services.current_submissions(org).exists():
            raise CommandError(f"{org.name} has no loaded case data yet; load a return with carestat ingest")
        within = f" within {opts['period']}" if opts["period"] else ""
        if opts["queue"]:
            from carestat.core.jobs import enqueue_job

            job = enqueue_job(org, access.user, "casedata.recompute", f"Computing measures from case data{within}",
                              params={"user_id": access.user.pk, "org_slug": org.slug, "period": opts["period"],
                                      "back": f"/o/{org.slug}/data/"})
            self.stdout.write(self.style.SUCCESS(f"Queued job {job.pk}: {job.title}. `carestat worker` runs it; "
                                                 f"follow it at /o/{org.slug}/jobs/{job.pk}/"))
            return
        self.stdout.write(f"Computing measures for {org.name}{within}")
        outcomes = services.recompute(access, period=opts["period"], progress=cli_progress(self.stdout))
        totals = {k: sum(len(getattr(o, k)) for o in outcomes)
                  for k in ("created", "revised", "unchanged", "pending", "skipped_closed")}
        self.stdout.write(self.style.SUCCESS(
            f"{totals['created']} new, {totals['revised']} revised, {totals['unchanged']} unchanged"))
        if pending := totals["pending"]:
            self.stdout.write(self.style.WARNING(
                f"Awaiting a manager's approval because they differ from approved figures: "
                f"{count_of(pending, 'recomputed figure')} "
                "(Measures > Recomputed figures)"))
        if totals["skipped_closed"]:
            self.stdout.write(f"{totals['skipped_closed']} left alone because their period is closed")
