"""The staff's admin, one module per area: sources, units, people, campaigns, awards, plans,
the users with their units, and the parts of records listed on their own."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (
    accounts,
    awards,
    campaigns,
    cycle,
    decisions,
    packages,
    papers,
    parts,
    people,
    plans,
    service,
    sources,
    units,
)

# The system's name, as its public pages give it, rather than "Django administration".
admin.site.site_header = admin.site.site_title = _("Emulation and commendation")

__all__ = [
    "accounts",
    "awards",
    "campaigns",
    "cycle",
    "decisions",
    "packages",
    "papers",
    "parts",
    "people",
    "plans",
    "service",
    "sources",
    "units",
]
