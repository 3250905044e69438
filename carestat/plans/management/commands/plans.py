from pathlib import Path

from django.core.management.base import CommandError

from carestat.core.changes import name_of
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.permissions import Perm
from carestat.plans import excel
from carestat.plans.access import get_plan_for_user
from carestat.plans.models import Plan
from carestat.plans.progress import plan_tree


class Command(CareStatCommand):
    help = ("List, show, export or import plans. Everyone reads; only managers and admins import "
            "(a workbook with any bad row imports nothing).")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["list", "show", "export", "import"])
        parser.add_argument("target", nargs="?", help="plan id (show, export) or workbook path (import)")
        parser.add_argument("--org", required=True, help="the organisation's short name")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--output", "-o", help="where to write the exported workbook")
        parser.add_argument("--title", help="import under this title instead of the workbook's")

    def handle(self, *args, verb, target, org, as_user, output, title, **opts):
        access = command_access(get_org(org), as_user)
        access.require(Perm.VIEW)
        if verb == "list":
            for p in Plan.objects.filter(organisation=access.organisation, is_archived=False):
                t = plan_tree(p)
                rag = t.rollup.rag.label if t.rollup.rag else "none"
                self.stdout.write(f"{p.pk:>4}  {p.title}  [{p.get_kind_display()}]  RAG {rag}, "
                                  f"{len(t.actions())} actions, {len(t.milestones())} milestones, "
                                  f"{len(t.delivery())} overdue or slipped")
            return
        if not target:
            raise CommandError(f"plans {verb} needs a {'workbook path' if verb == 'import' else 'plan id'}")
        if verb == "import":
            path = Path(target)
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            try:
                plan = excel.import_plan(access, path.read_bytes(), filename=path.name, title=title)
            except excel.WorkbookInvalid as exc:
                raise CommandError("Nothing imported:\n" + "\n".join(str(p) for p in exc.problems)) from None
            self.stdout.write(f"Imported plan {plan.pk}: {plan.title}")
            return
        plan = _plan(access, target)
        if verb == "export":
            out = Path(output or f"plan-{plan.pk}.xlsx")
            out.write_bytes(excel.export_plan(access, plan))
            self.stdout.write(f"Wrote {out}")
            return
        tree = plan_tree(plan)
        self.stdout.write(f"{plan.title} ({plan.get_kind_display()})")
        for p in tree.priorities:
            self.stdout.write(f"  {p.priority.title}: {p.rollup.rag.label if p.rollup.rag else 'none'}")
            for o in p.objectives:
                self.stdout.write(f"    {o.objective.statement}")
                for a in o.actions:
                    owner = name_of(a.action.owner, "no owner")
                    self.stdout.write(f"      - {a.action.title} ({owner}): "
                                      f"{a.rollup.status.label if a.rollup.status else 'none'}, "
                                      f"{a.rollup.rag.label if a.rollup.rag else 'none'}")


def _plan(access, target):
    from django.http import Http404

    try:
        return get_plan_for_user(access, target)
    except Http404:
        raise CommandError(f"No plan {target} in {access.organisation.name}") from None
