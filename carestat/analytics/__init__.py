"""CareStat's analytics layer: plain Python, no Django.

Readers for the statutory formats, validation, pseudonymisation, the working-day calendar,
measure definitions (Ibis expressions run on DuckDB or Spark) and forecasts.
"""
