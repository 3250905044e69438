import json

from django.core.management.base import CommandError

from carestat.core import notifications
from carestat.core.management.base import CareStatCommand, get_org
from carestat.core.models import Organisation
from carestat.core.tenancy import scoped_to


class Command(CareStatCommand):
    help = ("Daily notification jobs, safe to run from cron. 'overdue' tells each action owner of their "
            "milestones that have gone overdue, once per milestone however often it runs; 'digest' emails "
            "each person who chose the daily digest everything not yet emailed to them, in one message.")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["overdue", "digest"])
        parser.add_argument("--org", help="only this organisation (short name); otherwise every one")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, verb, org=None, json=False, **opts):
        orgs = [get_org(org)] if org else list(Organisation.objects.all())
        out = []
        for o in orgs:
            with scoped_to(o):  # one organisation at a time, each in its own scope
                if verb == "overdue":
                    made = notifications.notify_overdue(o)
                    out.append({"organisation": o.slug, "notified": len(made),
                                "people": sorted({n.recipient.email for n in made})})
                elif verb == "digest":
                    sent = notifications.send_digests(o)
                    out.append({"organisation": o.slug, "digests": len(sent),
                                "notifications": sum(n for _, n in sent)})
                else:  # pragma: no cover (argparse refuses other verbs)
                    raise CommandError(f"Unknown verb {verb}")
        if json:
            self.stdout.write(_dumps(out))
            return
        for row in out:
            if verb == "overdue":
                n = row["notified"]
                self.stdout.write(f"{row['organisation']}: told {n} milestone owner{'s' if n != 1 else ''} "
                                  "of a milestone gone overdue")
            else:
                n = row["digests"]
                self.stdout.write(f"{row['organisation']}: sent {n} digest{'s' if n != 1 else ''} "
                                  f"({row['notifications']} notifications)")


def _dumps(value) -> str:
    return json.dumps(value, indent=2)
