from carestat.core.management.base import CareStatCommand, get_org
from carestat.core.models import Organisation
from carestat.core.tenancy import scoped_to
from carestat.plans import services


class Command(CareStatCommand):
    help = ("Email each action owner the updates due for the open quarter and their milestones that are "
            "overdue or at risk. Safe to run daily from cron; --dry-run prints instead of sending.")

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organisation (short name); otherwise every one")
        parser.add_argument("--dry-run", action="store_true", help="print the emails; send nothing")

    def handle(self, *args, org=None, dry_run=False, **opts):
        orgs = [get_org(org)] if org else list(Organisation.objects.all())
        total = 0
        for o in orgs:
            with scoped_to(o):  # one organisation at a time, each in its own scope
                sent = services.send_reminders(o, dry_run=dry_run)
            total += len(sent)
            if dry_run:
                for user, body in sent:
                    self.stdout.write(f"To: {user.email}\n{body}\n")
        self.stdout.write(f"{'Would send' if dry_run else 'Sent'} {total} reminder{'s' if total != 1 else ''}")
