"""What the admin classes share: search that ignores the diacritics left out, and where a record
came from."""

from collections.abc import Callable, Sequence

from django.contrib import admin
from django.db.models import BooleanField, Field, Model, Q, QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from movement.models import Person, WorkPlan
from movement.search import typed_words, word_contains
from movement.text import holds_word

SOURCE_FIELDSET = (
    _("Source"),
    {"classes": ["collapse"], "fields": ["source", "source_quote", "inference_note"]},
)


class FoldedSearchMixin:
    """Search the ``search_text`` columns named in ``search_fields``, one word at a time.

    A word typed without marks is looked for in the folded column, folded with the function that
    fills it, so "nguyen van khao", "NGUYEN" and "khao" all find "Nguyễn Văn Khảo", and "d"
    finds "đ"; a word typed with marks keeps them, in the column's marked twin: "khảo" finds
    "Khảo", never "Khào" (movement.search.word_contains). The same on SQLite and PostgreSQL:
    neither database's own accent handling is involved. Every word must match (AND), in any of
    the columns. A four-digit word also matches ``search_year_field``, so "khao 2017" finds
    Khảo's awards of 2017.
    """

    search_fields = ["search_text"]
    search_year_field: str | None = None
    search_help_text = _(
        "Case does not matter, nor accents left out: “nguyen van khao” finds “Nguyễn Văn Khảo”."
        " Accents typed do: “hưng” finds “Hưng”, not “Hùng”."
    )

    def search_text_contains(self, words: list[str]) -> Q | None:
        """A filter for "the record's own texts hold every typed word" that an index answers.

        None (the default) searches each column with ``LIKE '%word%'``, reading every row; a
        big table overrides this with its trigram index (see movement.search).
        """
        return None

    def is_year(self, word: str) -> bool:
        return bool(self.search_year_field) and len(word) == 4 and word.isdigit()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        columns = self.get_search_fields(request)
        words = typed_words(search_term)
        if list(columns) == ["search_text"]:
            plain = [word for word in words if not self.is_year(word)]
            indexed = self.search_text_contains(plain)
            if indexed is not None:
                queryset = queryset.filter(indexed)
                for year in [word for word in words if self.is_year(word)]:
                    text = self.search_text_contains([year])
                    queryset = queryset.filter(text | Q(**{self.search_year_field: int(year)}))
                return queryset, False
        for word in words:
            matches = Q()
            for column in columns:
                matches |= word_contains(word, column)
            if self.is_year(word):
                matches |= Q(**{self.search_year_field: int(word)})
            queryset = queryset.filter(matches)
        # The columns are on the record or on a record it points to, never one it has many of.
        return queryset, False


class SmallTableFoldedSearchMixin(FoldedSearchMixin):
    """The same search for small tables without search columns (ranks, sources).

    Each row's ``search_fields`` are read in Python (movement.text.holds_word): one query
    reading a few short columns of a table of some hundred rows at most, and the same result on
    either database.
    """

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        words = typed_words(search_term)
        if not words:
            return queryset, False
        columns = self.get_search_fields(request)
        found = [
            pk
            for pk, *values in queryset.values_list("pk", *columns)
            if all(any(holds_word(value or "", word) for value in values) for word in words)
        ]
        return queryset.filter(pk__in=found), False


def yes_no_icon(value: bool | None) -> str:
    """The admin's yes, no or unknown icon, its alternative text in the page's language: Django's
    own boolean columns read "True" and "False" to a screen reader whatever the language."""
    icons = {True: ("yes", _("Yes")), False: ("no", _("No")), None: ("unknown", _("Unknown"))}
    icon, text = icons[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


def yes_no_column(field: Field) -> Callable[[Model], str]:
    """A list column showing the boolean ``field`` as :func:`yes_no_icon`, sorted by it."""

    @admin.display(description=field.verbose_name, ordering=field.name)
    def column(obj: Model) -> str:
        return yes_no_icon(getattr(obj, field.name))

    # The column's class (column-<name>) and the cells' (field-<name>) as Django's would be.
    column.__name__ = field.name
    return column


class YesNoColumnsMixin:
    """The model's boolean fields in the list shown with :func:`yes_no_icon`."""

    def get_list_display(self, request: HttpRequest) -> Sequence:
        columns = super().get_list_display(request)
        booleans = {
            field.name: field
            for field in self.model._meta.get_fields()
            if isinstance(field, BooleanField)
        }
        return [yes_no_column(booleans[name]) if name in booleans else name for name in columns]


class InferredColumnMixin:
    """A list column that marks records taking something from context rather than the source."""

    @admin.display(description=_("inferred"))
    def inferred(self, obj: Model) -> str:
        return yes_no_icon(obj.is_inferred)


# Records whose name (__str__) reads another record: a person's rank, a plan's unit.
LABEL_RELATIONS: dict[type[Model], tuple[str, ...]] = {Person: ("rank",), WorkPlan: ("unit",)}


class LabelRelationsMixin:
    """Labels that read other records get them in the same query, not one query per label.

    ``list_select_related`` applies on every page, not only the changelist: to the change page's
    title and to autocomplete results. (The changelist skips it when the queryset already has a
    select_related, so it cannot be added to piecemeal.) Choice fields fetch what their labels read.
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        related = getattr(self, "list_select_related", None)
        if isinstance(related, list | tuple) and related:
            return queryset.select_related(*related)
        return queryset

    def get_field_queryset(
        self, db: str | None, db_field: Field, request: HttpRequest
    ) -> QuerySet | None:
        queryset = super().get_field_queryset(db, db_field, request)
        related = db_field.remote_field.model
        if related not in LABEL_RELATIONS:
            return queryset
        if queryset is None:
            queryset = related._default_manager.using(db)
        return queryset.select_related(*LABEL_RELATIONS[related])


class MadeCodeMixin:
    """For records whose code (``slug``) is made from their name when left blank (see
    movement.models.base.CodedManager, called by the model's clean()).

    Django's own prepopulating script is not used: it drops the Vietnamese letters it does not
    know, making "trn-th-hng-nhung" of "Trần Thị Hồng Nhung" and "dj-van-djc" of "Đỗ Văn Đức".
    """

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("slug")
        if field is not None:
            field.required = False
            field.help_text = _(
                "Leave it blank to have it made from the name: “Trần Thị Hồng Nhung” gives "
                "“tran-thi-hong-nhung”, numbered if taken."
            )
        return form
