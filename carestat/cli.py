"""The ``carestat`` command: thin management commands over the service functions."""

from __future__ import annotations

import os
import sys

# Commands people use, in the order ``carestat --help`` lists them. Every other Django
# management command still works (``carestat migrate``, ``carestat help migrate``).
COMMANDS = [
    "demo", "serve", "worker", "createorg", "adduser", "apitoken", "plans", "plans_remind", "notify", "ingest",
    "measures", "measures_import", "measures_catalogue", "report", "risks", "finance", "governance", "quality",
    "commissioning", "demand", "jurisdictions", "migrate",
]


def _print_help() -> None:
    from django.core.management import load_command_class

    print("CareStat: plans, performance measures from statutory data, and committee reports.\n")
    print("Usage: carestat COMMAND [options]     (carestat COMMAND --help for its options)\n")
    print("Commands:")
    from django.core.management import get_commands

    known = get_commands()
    for name in COMMANDS + sorted(n for n, app in known.items() if app.startswith("carestat.") and n not in COMMANDS):
        if name not in known:
            continue
        help_text = load_command_class(known[name], name).help.strip().splitlines()[0]
        print(f"  {name:<12} {help_text}")
    print("\nConfiguration comes from environment variables; see README.md (Configuration).")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carestat.settings")
    argv = sys.argv[1:] if argv is None else argv
    from carestat.env import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"CareStat cannot start: {exc}", file=sys.stderr)
        return 2
    if not argv or argv[0] in {"-h", "--help"}:
        _print_help()
        return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(["carestat", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
