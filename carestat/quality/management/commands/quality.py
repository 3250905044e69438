import json
from pathlib import Path

from django.core.management.base import CommandError

from carestat.analytics import quality as calc
from carestat.analytics.pseudonymise import Pseudonymiser
from carestat.core.errors import ServiceError
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.permissions import Perm
from carestat.quality import selectors, services
from carestat.quality.models import AuditRound, ToolVersion


class Command(CareStatCommand):
    help = ("Case-file audits. sample: draw a round's stratified random sample from the loaded case data or a "
            "case list (--case-list), reproducible from its --seed, closed and recently audited cases left out "
            "(managers); results: a round's share graded good or better, by team and question; reidentify: map a "
            "sample's keys back to the case system's references, on the council's own machine, with the "
            "deployment key from --key-file (it is never stored in CareStat's database nor logged).")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["sample", "results", "reidentify"])
        parser.add_argument("--org", help="the organisation's short name (sample, results)")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--round", help="results: the round's title or id")
        parser.add_argument("--title", help="sample: the new round's title")
        parser.add_argument("--tool", help="sample: the audit tool's name (its current version is used)")
        parser.add_argument("--period", help="sample: the quarter, such as 2026-27-Q3")
        parser.add_argument("--service", default="adult", choices=["adult", "child"])
        parser.add_argument("--stratify-by", default="team", choices=list(calc.STRATIFY_BY))
        parser.add_argument("--stratum", action="append", default=[], metavar="NAME=N",
                            help="sample: cases from one stratum (repeat for each)")
        parser.add_argument("--total", type=int, help="sample: cases shared across strata by size")
        parser.add_argument("--seed", type=int, help="sample: the seed (default: a new one, shown)")
        parser.add_argument("--include-closed", action="store_true", help="sample: do not leave out closed cases")
        parser.add_argument("--audited-within-months", type=int, help="sample: leave out cases audited this recently")
        parser.add_argument("--moderation-percent", type=int, default=0)
        parser.add_argument("--peer", action="store_true")
        parser.add_argument("--case-list", help="sample: an uploaded case list; reidentify: the council's case list "
                            "(person_id, case_reference)")
        parser.add_argument("--key-file", help="reidentify: a file holding the deployment's pseudonymisation key")
        parser.add_argument("--sample", help="reidentify: the sample's keys (the round's CSV export)")
        parser.add_argument("--json", action="store_true", help="write JSON instead of text")

    def handle(self, *args, verb, json: bool, **o):
        if verb == "reidentify":
            return self._reidentify(o, json)
        if not o["org"]:
            raise CommandError(f"quality {verb} needs --org")
        access = command_access(get_org(o["org"]), o["as_user"])
        access.require(Perm.VIEW)
        try:
            if verb == "sample":
                self._sample(access, o, json)
            else:
                self._results(access, o, json)
        except ServiceError as exc:
            raise CommandError(exc.message) from None

    def _sample(self, access, o, as_json):
        for name in ("title", "tool", "period"):
            if not o[name]:
                raise CommandError(f"quality sample needs --{name}")
        tv = (ToolVersion.objects.filter(organisation=access.organisation, tool__name__iexact=o["tool"])
              .order_by("-number").first())
        if tv is None:
            raise CommandError(f"No audit tool called ‘{o['tool']}’")
        requested = {}
        for item in o["stratum"]:
            name, sep, n = item.rpartition("=")
            if not sep or not n.isdigit():
                raise CommandError(f"Write each --stratum as NAME=N (not ‘{item}’)")
            requested[name] = int(n)
        content = None
        if o["case_list"]:
            path = Path(o["case_list"])
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            content = path.read_bytes()
        r = services.draw_round(
            access, title=o["title"], tool_version=tv, period=o["period"], service=o["service"],
            source="upload" if content else "casedata", stratify_by=o["stratify_by"], requested=requested or None,
            total=o["total"], seed=o["seed"], exclude_closed=not o["include_closed"],
            audited_within_months=o["audited_within_months"], peer=o["peer"],
            moderation_percent=o["moderation_percent"], case_list=content,
            case_list_name=Path(o["case_list"]).name if content else "")
        if as_json:
            self.stdout.write(json.dumps({"round_id": r.pk, "title": r.title, "seed": r.seed, "requested": r.requested,
                                          "eligible": r.eligible, "excluded": r.excluded, "population": r.population,
                                          "sample": services.sample_rows(r)}, indent=2))
            return
        self.stdout.write(f"Drew {r.cases.count()} cases for ‘{r.title}’ from {r.population} (seed {r.seed})")
        self.stdout.write(services.sample_csv(r))

    def _results(self, access, o, as_json):
        if not o["round"]:
            raise CommandError("quality results needs --round")
        rounds = AuditRound.objects.filter(organisation=access.organisation)
        r = (rounds.filter(pk=int(o["round"])).first() if o["round"].isdigit() else None) or \
            rounds.filter(title__iexact=o["round"]).first()
        if r is None:
            raise CommandError(f"No round ‘{o['round']}’")
        res = selectors.round_results(r)

        def share(s):
            return {"good": s.good, "total": s.total, "percent": str(s.percent) if s.percent is not None else None}

        if as_json:
            self.stdout.write(json.dumps({
                "round": r.title, "period": r.period, "seed": r.seed, "overall": share(res.overall),
                "by_team": {t: share(s) for t, s in res.by_team.items()},
                "questions": [{"code": q.code, "text": q.text, "counts": q.counts, "share": share(q.share),
                               "agreement": share(q.agreement) if q.agreement else None} for q in res.questions],
                "themes": res.themes}, indent=2))
            return
        self.stdout.write(f"{r.title} ({r.period}): {res.overall.good} of {res.overall.total} audits good or better "
                          f"({res.overall.percent}%)")
        for t, s in res.by_team.items():
            self.stdout.write(f"  {t}: {s.good} of {s.total} ({s.percent}%)")

    def _reidentify(self, o, as_json):
        for name in ("case_list", "key_file", "sample"):
            if not o[name]:
                raise CommandError(f"quality reidentify needs --{name.replace('_', '-')}")
        paths = {n: Path(o[n]) for n in ("case_list", "key_file", "sample")}
        for p in paths.values():
            if not p.exists():
                raise CommandError(f"No such file: {p}")
        try:
            keyer = Pseudonymiser(paths["key_file"].read_text().strip())
        except ValueError as exc:
            raise CommandError(f"{paths['key_file'].name}: {exc}") from None
        try:
            rows = calc.reidentify(paths["case_list"].read_bytes(), paths["case_list"].name,
                                   paths["sample"].read_bytes(), paths["sample"].name, keyer=keyer)
        except calc.CaseListInvalid as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from None
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            self.stdout.write(calc.sample_csv(rows, ("key", "stratum", "case_reference")))
        missing = sum(1 for r in rows if not r["case_reference"])
        if missing:
            self.stderr.write(f"{missing} key{'s' if missing != 1 else ''} matched nobody on the case list")
