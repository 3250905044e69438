"""Measure definitions, declared once and run on any Ibis backend."""

from carestat.analytics.measures.base import (
    REGISTRY,
    MeasureContext,
    MeasureDefinition,
    MeasureResult,
    Period,
    compute_measures,
    measure,
)

__all__ = [
    "REGISTRY",
    "MeasureContext",
    "MeasureDefinition",
    "MeasureResult",
    "Period",
    "compute_measures",
    "measure",
]

# Importing the definitions registers them under their catalogue codes.
from carestat.analytics.measures import adults, children, operational, wales, workforce  # noqa: E402,F401
