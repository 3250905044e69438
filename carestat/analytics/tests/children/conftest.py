"""Fixtures for the children's analytics tests: a store, a pseudonymiser, file writers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carestat.analytics.demo.children import census_view, cin_census_xml, write_903_year
from carestat.analytics.ingest import load_submission
from carestat.analytics.pseudonymise import Pseudonymiser
from carestat.analytics.store import Store

D = dt.date


@pytest.fixture
def pseudonymiser():
    return Pseudonymiser("test-secret-for-carestat-children")


@pytest.fixture
def store():
    s = Store(None)
    yield s
    s.close()


CIN_DOB = D(2012, 6, 15)
LAC_DOB = D(2012, 1, 1)


def cin_child(child_id, *episodes, dob=CIN_DOB, sex="1", disabilities=("NONE",)):
    """A child dict for demo.cin_census_xml; episodes made with ``referral``."""
    return {"id": child_id, "upn": None, "dob": dob, "sex": sex, "ethnicity": "WBRI",
            "disabilities": list(disabilities), "episodes": list(episodes)}


def referral(on, *, need="N1", closure=None, reason="RC1", assessments=(), s47=(), cpps=(),
             nfa=False):
    return {"referral": on, "source": "1A", "need": need, "closure": closure,
            "reason": reason if closure else None, "nfa": nfa,
            "assessments": [{"start": s, "auth": a, "factors": ["1B"]} for s, a in assessments],
            "s47": [{"start": s, "icpc": i, "not_required": i is None} for s, i in s47],
            "cpps": [{"start": s, "end": e, "category": "NEG"} for s, e in cpps]}


def write_cin(tmp_path: Path, year: int, children: list[dict]) -> Path:
    """The census of ``year`` for children given as whole timelines (filtered per year)."""
    views = [v for v in (census_view(c, year) for c in children) if v is not None]
    path = tmp_path / f"CIN_Census_{year}.xml"
    path.write_text(cin_census_xml(views, year), encoding="utf-8")
    return path


def lac_child(child_id, episodes, *, dob=LAC_DOB, sex="1"):
    """Episodes as (decom, rne, ls, place, dec, rec) tuples."""
    return {"id": child_id, "dob": dob, "sex": sex, "episodes": [
        {"decom": e[0], "rne": e[1], "ls": e[2], "cin": "N1", "place": e[3], "dec": e[4],
         "rec": e[5]} for e in episodes]}


def write_903(tmp_path: Path, years, children) -> list[Path]:
    files = []
    for year in years:
        files += write_903_year(children, year, tmp_path)
    return files


@pytest.fixture
def load(store, pseudonymiser):
    def _load(paths, **kwargs):
        kwargs.setdefault("jurisdiction", "england")
        return load_submission(store, paths, pseudonymiser=pseudonymiser, **kwargs)

    return _load


# ibis 12 reads pandas' deprecated ``future.infer_string`` option whenever it turns a result
# into a DataFrame, and pandas 3 warns about it; nothing here can avoid that, so only that
# warning is ignored, and only for these tests (a mark: -W error outranks ini settings).
_IBIS_PANDAS3 = (
    "ignore:The 'future.infer_string' option is deprecated:pandas.errors.Pandas4Warning"
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.filterwarnings(_IBIS_PANDAS3))
