"""What a changelist over a million rows needs beyond Django's defaults.

The queries of a page are the paginator's business (movement.admin.paginator) and the filters'
(movement.admin.filters). What is left is Python's time per row shown: Django renders each row's
action checkbox through the form renderer's templates, which takes as long as the rest of the
row, and reverses and resolves the change URL once per link. Both are done here once per page,
with the same HTML as Django's.
"""

from __future__ import annotations

from urllib.parse import quote as url_quote

from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _

from .paginator import READ_WHOLE, LargeTablePaginator

# A stand-in for the primary key in a change URL reversed once; no key contains it.
PK_PLACEHOLDER = "__pk__"


class LargeTableChangeList(ChangeList):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Each change link carries the list's filters. The admin adds them per link with
        # add_preserved_filters(), which resolves the link's URL to see where it leads; they
        # are added here instead, once the URL is made, giving the same query string.
        self.link_filters = self.preserved_filters
        self.preserved_filters = ""

    def url_for_result(self, result: Model) -> str:
        if not hasattr(self, "_change_url"):
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            self._change_url = reverse(
                name, args=(PK_PLACEHOLDER,), current_app=self.model_admin.admin_site.name
            )
            if self.link_filters:
                self._change_url += "?" + self.link_filters
        # The key escaped as reverse() would: the admin's quote(), then URL quoting.
        pk = url_quote(
            str(quote(getattr(result, self.pk_attname))), safe=RFC3986_SUBDELIMS + "/~:@"
        )
        return self._change_url.replace(PK_PLACEHOLDER, pk)


def page_asked(request: HttpRequest) -> int:
    """The page number the list is asked for, as the changelist reads it (1 if none or not a
    number: the changelist answers that itself)."""
    try:
        return max(int(request.GET.get(PAGE_VAR, 1)), 1)
    except ValueError:
        return 1


class LargeTableMixin:
    """Pages with :class:`LargeTablePaginator` and renders rows without per-row templates."""

    paginator = LargeTablePaginator

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return LargeTableChangeList

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> LargeTablePaginator:
        # The admin's own queryset, before any filter or search, with the joins the list shows.
        rows = self.get_queryset(request)
        if self.list_select_related is True:
            rows = rows.select_related()
        elif self.list_select_related:
            rows = rows.select_related(*self.list_select_related)
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            rows=rows,
            start=(page_asked(request) - 1) * per_page,
            # A search's matches are read whole, wherever they are in the list's order.
            read_whole=READ_WHOLE if request.GET.get(SEARCH_VAR, "").strip() else 0,
        )

    def action_checkbox(self, obj: Model) -> str:
        # What ModelAdmin.action_checkbox renders through forms.CheckboxInput, written directly.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )
