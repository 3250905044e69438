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
