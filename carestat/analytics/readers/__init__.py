"""Readers for the children's statutory formats: CIN census XML, SSDA903 CSVs, population."""

from carestat.analytics.readers.cin import read_cin
from carestat.analytics.readers.population import read_population
from carestat.analytics.readers.ssda903 import read_903

__all__ = ["read_cin", "read_903", "read_population"]
