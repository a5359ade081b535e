"""The staff's admin, one module per area: sources, units, people, campaigns, awards, plans."""

from . import awards, campaigns, people, plans, sources, units

__all__ = ["awards", "campaigns", "people", "plans", "sources", "units"]
