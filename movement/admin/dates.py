"""The date hierarchy of the admin's lists, with its year checked.

Django 5.2 builds the dates of ``?<field>__year=`` catching ValueError only: a year too large
for a date (10**30) raises OverflowError, and 9999 fails on the following year, both outside
its check, so the list answers 500 instead of saying its parameters are wrong ("?e=1"). Fixed
in Django by ticket #37357, not in 5.2; until then every list with a date hierarchy (the
sign-in logs of django-axes, movement.admin.packages) takes DateHierarchyMixin.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest


class DateHierarchyChangeList(ChangeList):
    def get_filters(self, request: HttpRequest) -> tuple:
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class DateHierarchyMixin:
    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return DateHierarchyChangeList
