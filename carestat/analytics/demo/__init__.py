"""Demo data generators: Demoshire, a fictional county, in the real statutory formats."""

from carestat.analytics.demo.children import write_children_demo

__all__ = ["write_children_demo"]
