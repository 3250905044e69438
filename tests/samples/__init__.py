"""The fake statutory files the tests load (see README.md here for their provenance).

They live in the repository so that a fresh clone's tests pass without ``../shared``; they are
copies of ``shared/samples`` (fake data from MIT-licensed open-source validators).
"""

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent


def sample_files(folder: str, pattern: str) -> list[Path]:
    """The sample files matching ``pattern`` in ``folder``; never an empty list, so a test that
    loops over them cannot pass by checking nothing."""
    found = sorted((SAMPLES / folder).glob(pattern))
    if not found:
        raise FileNotFoundError(f"no sample files match {folder}/{pattern} under {SAMPLES}")
    return found
