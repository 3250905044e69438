"""Validation problems: what is wrong, where (file, row or XML path, field), and which rule.

Every reader and validator reports through these types so the CLI, the upload page and
the data-quality page show problems the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    location: str  # "row 7" or an XML path such as "/Message/Children/Child[2]/..."
    field: str
    rule: str  # a rule code ("8500", "903-408") or a structural rule name ("date-format")
    message: str
    severity: Severity = Severity.ERROR
    record_key: str | None = None  # pseudonymised person key of the record at fault, if any

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file, self.location, self.field) if p)
        return f"{self.severity.value.upper()} [{self.rule}] {where}: {self.message}"


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dicts(self) -> list[dict]:
        return [p.as_dict() for p in self.problems]


class UnreadableFile(Exception):
    """A file that cannot be read as its format at all; the whole submission is rejected."""

    def __init__(self, file: str, message: str, location: str = ""):
        self.file = file
        self.location = location
        self.message = message
        where = f"{file} ({location})" if location else file
        super().__init__(f"{where}: {message}")
