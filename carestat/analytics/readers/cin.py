"""Streaming reader for the DfE children in need (CIN) census XML.

The file is read with ``lxml.etree.iterparse`` one ``<Child>`` at a time and each element is
cleared once read, so memory stays flat however many children the file holds. Each child is
validated against a *per-child schema*: the year's XSD with a top-level ``Child`` element
added, so XSD rules (structure, code lists, date formats) are checked without building the
whole document tree.

Schema choice: the header's ``<Year>`` is the collection year (``2023`` = the census of
2022-23, reference date 31 March 2023). Years 2017 to 2024 use their own XSD; later years use
the 2024 XSD extended with the known later additions: ``<Sex>`` in place of
``<GenderCurrent>`` (its M/F/U values are checked by DfE rule 4180, not the schema) and the
optional ``<PreProceedingsandFGDM>`` block at the end of ``<CINdetails>``, whose content is
not validated because CareStat keeps none of it.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from carestat.analytics.problems import Problem, Severity, UnreadableFile

XSD_DIR = Path(__file__).resolve().parents[2] / "reference" / "cin-xsd"
FIRST_SCHEMA_YEAR = 2017
LAST_SCHEMA_YEAR = 2024
XS = "http://www.w3.org/2001/XMLSchema"


def xsd_dir() -> Path:
    """Where the DfE XSDs live; ``CARESTAT_CIN_XSD_DIR`` overrides the copy shipped in carestat/reference."""
    import os

    return Path(os.environ.get("CARESTAT_CIN_XSD_DIR", XSD_DIR))


@cache
def child_schemas(year: int) -> tuple[etree.XMLSchema, etree.XMLSchema]:
    """(Header schema, Child schema) for a collection year."""
    schema_year = min(max(year, FIRST_SCHEMA_YEAR), LAST_SCHEMA_YEAR)
    path = xsd_dir() / f"CIN_schema_{schema_year}.xsd"
    if not path.exists():
        raise FileNotFoundError(f"CIN schema not found: {path}")
    tree = etree.parse(str(path))
    root = tree.getroot()
    if year > LAST_SCHEMA_YEAR:
        _add_later_additions(root)
    schemas = []
    for element, type_name in (("Header", "headertype"), ("Child", "childtype")):
        doc = copy.deepcopy(root)
        for top in doc.findall(f"{{{XS}}}element"):
            doc.remove(top)
        top = etree.SubElement(doc, f"{{{XS}}}element")
        top.set("name", element)
        top.set("type", type_name)
        schemas.append(etree.XMLSchema(doc))
    return schemas[0], schemas[1]


def _add_later_additions(root) -> None:
    ids = root.find(f"{{{XS}}}complexType[@name='childidentifierstype']/{{{XS}}}sequence")
    gender = ids.find(f"{{{XS}}}element[@name='GenderCurrent']")
    choice = etree.Element(f"{{{XS}}}choice")
    choice.set("minOccurs", "1")
    choice.set("maxOccurs", "1")
    gender.addprevious(choice)
    choice.append(gender)
    gender.attrib.pop("minOccurs", None)
    gender.attrib.pop("maxOccurs", None)
    sex = etree.SubElement(choice, f"{{{XS}}}element")
    sex.set("name", "Sex")
    sex.set("type", "xs:string")
    details = root.find(f"{{{XS}}}complexType[@name='cindetailstype']/{{{XS}}}sequence")
    block = etree.SubElement(details, f"{{{XS}}}element")
    block.set("name", "PreProceedingsandFGDM")
    block.set("minOccurs", "0")
    block.set("maxOccurs", "unbounded")
    ctype = etree.SubElement(block, f"{{{XS}}}complexType")
    seq = etree.SubElement(ctype, f"{{{XS}}}sequence")
    anything = etree.SubElement(seq, f"{{{XS}}}any")
    anything.set("processContents", "skip")
    anything.set("minOccurs", "0")
    anything.set("maxOccurs", "unbounded")


@dataclass
class CinHeader:
    year: int  # read_cin refuses a header without a valid <Year>
    reference_date: dt.date | None
    reference_date_text: str | None
    lea: str | None


@dataclass
class CinChild:
    """One ``<Child>``, parsed. Identifiers are still raw here; ingest hashes them."""

    index: int  # 1-based position among the file's children
    line: int
    path: str
    la_child_id: str | None = None
    upn: str | None = None
    former_upn: str | None = None
    upn_unknown: str | None = None
    birth_date: dt.date | None = None
    expected_birth_date: dt.date | None = None
    sex_raw: str | None = None
    sex_element: str | None = None  # "GenderCurrent" or "Sex"
    death_date: dt.date | None = None
    ethnicity: str | None = None
    disabilities: list[str] = field(default_factory=list)
    episodes: list[dict] = field(default_factory=list)


def parse_date(text: str | None) -> dt.date | None:
    """An ISO date, or None for blank or malformed text (the schema reports malformed dates)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _text(elem, tag: str) -> str | None:
    found = elem.find(tag)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def _date(elem, tag):
    return parse_date(_text(elem, tag))


def _parse_child(elem, index: int) -> CinChild:
    path = f"/Message/Children/Child[{index}]"
    child = CinChild(index=index, line=elem.sourceline or 0, path=path)
    ids = elem.find("ChildIdentifiers")
    if ids is not None:
        child.la_child_id = _text(ids, "LAchildID")
        child.upn = _text(ids, "UPN")
        child.former_upn = _text(ids, "FormerUPN")
        child.upn_unknown = _text(ids, "UPNunknown")
        child.birth_date = _date(ids, "PersonBirthDate")
        child.expected_birth_date = _date(ids, "ExpectedPersonBirthDate")
        for tag in ("Sex", "GenderCurrent"):
            if ids.find(tag) is not None:
                child.sex_raw = _text(ids, tag)
                child.sex_element = tag
                break
        child.death_date = _date(ids, "PersonDeathDate")
    chars = elem.find("ChildCharacteristics")
    if chars is not None:
        child.ethnicity = _text(chars, "Ethnicity")
        child.disabilities = [
            (d.text or "").strip() for d in chars.iterfind("Disabilities/Disability")
        ]
    for n, det in enumerate(elem.iterfind("CINdetails"), start=1):
        ep_path = f"{path}/CINdetails[{n}]"
        episode = {
            "path": ep_path,
            "referral_date": _date(det, "CINreferralDate"),
            "referral_source": _text(det, "ReferralSource"),
            "primary_need": _text(det, "PrimaryNeedCode"),
            "closure_date": _date(det, "CINclosureDate"),
            "reason_for_closure": _text(det, "ReasonForClosure"),
            "icpc_date": _date(det, "DateOfInitialCPC"),
            "nfa": (_text(det, "ReferralNFA") or "").lower() in {"true", "1"},
            "assessments": [
                {
                    "path": f"{ep_path}/Assessments[{i}]",
                    "start": _date(a, "AssessmentActualStartDate"),
                    "authorised": _date(a, "AssessmentAuthorisationDate"),
                    "factors": [(f.text or "").strip() for f in a.iterfind(
                        "FactorsIdentifiedAtAssessment/AssessmentFactors")],
                }
                for i, a in enumerate(det.iterfind("Assessments"), start=1)
            ],
            "plans": [
                {
                    "path": f"{ep_path}/CINPlanDates[{i}]",
                    "start": _date(p, "CINPlanStartDate"),
                    "end": _date(p, "CINPlanEndDate"),
                }
                for i, p in enumerate(det.iterfind("CINPlanDates"), start=1)
            ],
            "section47": [
                {
                    "path": f"{ep_path}/Section47[{i}]",
                    "start": _date(s, "S47ActualStartDate"),
                    "icpc": _date(s, "DateOfInitialCPC"),
                    "not_required": (_text(s, "ICPCnotRequired") or "").lower() in {"true", "1"},
                }
                for i, s in enumerate(det.iterfind("Section47"), start=1)
            ],
            "cpps": [
                {
                    "path": f"{ep_path}/ChildProtectionPlans[{i}]",
                    "start": _date(c, "CPPstartDate"),
                    "end": _date(c, "CPPendDate"),
                    "initial_category": _text(c, "InitialCategoryOfAbuse"),
                    "latest_category": _text(c, "LatestCategoryOfAbuse"),
                    "reviews": [parse_date(r.text) for r in c.iterfind("Reviews/CPPreviewDate")],
                }
                for i, c in enumerate(det.iterfind("ChildProtectionPlans"), start=1)
            ],
        }
        child.episodes.append(episode)
    return child


def _schema_problems(schema, elem, file: str, base_path: str, root_tag: str) -> list[Problem]:
    if schema.validate(elem):
        return []
    problems = []
    for err in schema.error_log:
        # lxml reports paths from the validated element: "/Child/ChildIdentifiers/Sex"
        rel = (err.path or "").split("/", 2)
        sub = "/" + rel[2] if len(rel) > 2 and rel[1].startswith(root_tag) else ""
        location = f"{base_path}{sub} (line {err.line})"
        field_name = sub.rsplit("/", 1)[-1].split("[")[0] if sub else root_tag
        problems.append(
            Problem(
                file=file,
                location=location,
                field=field_name,
                rule="xsd",
                message=f"Not valid against the CIN schema: {err.message}",
                severity=Severity.ERROR,
            )
        )
    return problems


def read_cin(
    path: str | Path,
    *,
    display_name: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Iterator[tuple[str, tuple[CinHeader | CinChild, list[Problem]]]]:
    """Stream a CIN census file.

    Yields ``("header", (CinHeader, [Problem]))`` once, then ``("child", (CinChild, [Problem]))``
    per child. Raises UnreadableFile if the file is not XML or its root is not ``<Message>``.
    Schema problems carry XML paths such as ``/Message/Children/Child[2]/ChildIdentifiers/Sex``.
    """
    path = Path(path)
    name = display_name or path.name
    total = path.stat().st_size
    header: CinHeader | None = None
    header_schema = child_schema = None
    index = 0
    root_seen = False
    with open(path, "rb") as fh:
        try:
            context = etree.iterparse(
                fh, events=("start", "end"), remove_blank_text=False, huge_tree=True,
                resolve_entities=False, no_network=True,
            )
            for event, elem in context:
                if event == "start":
                    if not root_seen:
                        root_seen = True
                        if elem.tag != "Message":
                            raise UnreadableFile(
                                name,
                                f"the root element is <{elem.tag}>, but a CIN census file "
                                "starts with <Message>",
                            )
                    continue
                if elem.tag == "Header" and elem.getparent() is not None and \
                        elem.getparent().tag == "Message":
                    year_text = elem.findtext("CollectionDetails/Year")
                    ref_text = elem.findtext("CollectionDetails/ReferenceDate")
                    try:
                        year = int((year_text or "").strip())
                    except ValueError:
                        year = None
                    if year is None:
                        raise UnreadableFile(
                            name, "the header has no valid <Year>, so the collection year "
                            "(and its schema) cannot be chosen", "/Message/Header/CollectionDetails/Year"
                        )
                    header = CinHeader(
                        year=year,
                        reference_date=parse_date(ref_text),
                        reference_date_text=(ref_text or "").strip() or None,
                        lea=(elem.findtext("Source/LEA") or "").strip() or None,
                    )
                    header_schema, child_schema = child_schemas(year)
                    problems = _schema_problems(header_schema, elem, name, "/Message/Header",
                                                "Header")
                    yield "header", (header, problems)
                elif elem.tag == "Child" and elem.getparent() is not None and \
                        elem.getparent().tag == "Children":
                    if header is None:
                        raise UnreadableFile(name, "children appear before the <Header>, or "
                                             "the header is missing", "/Message/Header")
                    index += 1
                    child = _parse_child(elem, index)
                    problems = _schema_problems(child_schema, elem, name, child.path, "Child")
                    yield "child", (child, problems)
                    elem.clear()
                    parent = elem.getparent()
                    while elem.getprevious() is not None:
                        del parent[0]
                    if progress and index % 2000 == 0:
                        progress(fh.tell(), total, f"{name}: {index} children read")
        except etree.XMLSyntaxError as exc:
            raise UnreadableFile(name, f"not well-formed XML: {exc.msg}",
                                 f"line {exc.lineno}") from None
    if not root_seen:
        raise UnreadableFile(name, "the file is empty")
    if header is None:
        raise UnreadableFile(name, "no <Header> element, so the collection year is unknown",
                             "/Message/Header")
    if progress:
        progress(total, total, f"{name}: {index} children read")
