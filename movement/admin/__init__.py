"""The staff's admin, one module per area: sources, units, people, campaigns, awards, plans,
and the users with their units."""

from . import accounts, awards, campaigns, people, plans, sources, units

__all__ = ["accounts", "awards", "campaigns", "people", "plans", "sources", "units"]
