"""The filters of the public list pages, shared by each page and its Excel/CSV export.

A list page and its export build the same FilterSet from the same query string, so the file a
reader downloads holds exactly the rows the page shows (all of them, not just the current page).
"""

from collections.abc import Iterator

import django_filters
from django import forms
from django.db.models import Model, Q, QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from movement.models import Award, AwardType, Campaign, Unit
from movement.search import award_public_text_contains, text_matches, typed_words, word_contains


def search_words(queryset: QuerySet, value: str, abbreviations: bool = False) -> QuerySet:
    """Keep the rows whose texts hold every word of ``value`` (movement.search.word_contains);
    with ``abbreviations`` (for small tables), written out or abbreviated
    (movement.search.text_matches).

    A word typed without marks ignores them, as staff often type without diacritics: "vi an ninh
    to quoc" finds "Vì an ninh Tổ quốc", and with abbreviations "Vì ANTQ" too. A word typed with
    marks keeps them: "hưng" finds "Hưng", never "Hùng".
    """
    words = typed_words(value)
    if abbreviations and words:
        return queryset.filter(text_matches(words))
    for word in words:
        queryset = queryset.filter(word_contains(word))
    return queryset


def applied_filters(filterset: django_filters.FilterSet) -> list[tuple[str, str]]:
    """The filters a list page applies, as (label, value) pairs to print above it; not its sort
    order, nor a filter left at its default."""
    form = filterset.form
    if not form.is_valid():
        return []
    applied = []
    for name, value in form.cleaned_data.items():
        if name == "sort" or value in (None, "", []):
            continue
        field = form.fields[name]
        if isinstance(field, forms.ChoiceField) and not isinstance(value, Model):
            value = dict(field.choices).get(value, value)
        applied.append((str(field.label), str(value)))
    return applied


class UnitSearchForm(forms.Form):
    """The unit list's search: the words a unit's name holds."""

    q = forms.CharField(label=_("Find a unit"), required=False)


class YearInput(forms.NumberInput):
    def __init__(self) -> None:
        super().__init__(attrs={"min": 1945, "max": 2100, "inputmode": "numeric"})


class UnitTreeChoices:
    """The choices of a unit select: the tree of units, indented, read when rendered.

    The whole tree while it holds at most ``whole_tree`` units; past that (a ministry's
    thousands, which would weigh down every page) its top levels, and the unit asked for if it
    lies deeper: a unit's own page links to its awards.
    """

    whole_tree = 500
    depth = 1

    def __init__(self, selected: str | None) -> None:
        self.selected = selected

    def __iter__(self) -> Iterator[tuple[str, str]]:
        yield "", _("Any unit")
        tree = Unit.objects.with_tree_fields().order_siblings_by("name").filter(is_external=False)
        units = list(tree[: self.whole_tree + 1])
        if len(units) > self.whole_tree:
            units = tree.filter(Q(tree_depth__lte=self.depth) | Q(slug=self.selected))
        for unit in units:
            yield unit.slug, f"{'— ' * unit.tree_depth}{unit}"


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name contains"), method="filter_text", widget=forms.SearchInput
    )
    year = django_filters.NumberFilter(
        label=_("Running in year"), method="filter_year", widget=YearInput()
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Campaign.Kind.choices, empty_label=_("All kinds")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Launched by"),
        field_name="launched_by_unit",
        to_field_name="slug",
        # Only units that launched something, so the list stays short enough to pick from.
        queryset=Unit.objects.filter(launched_campaigns__isnull=False).distinct(),
        empty_label=_("Any unit"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("start_year", "year"), ("name", "name")),
        # Each label named, descending ones too: the stock "%s (descending)" is translated once,
        # when the module is imported, in whatever language is active then. django-filter looks
        # an ascending label up by field name and a descending one by parameter ("-year").
        field_labels={
            "start_year": _("Year"),
            "-year": _("Year (descending)"),
            "name": _("Name"),
            "-name": _("Name (descending)"),
        },
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Campaign
        fields = ["q", "year", "kind", "unit"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_words(queryset, value, abbreviations=True)

    def filter_year(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # A campaign runs in every year of its period; an open end means it is still running.
        year = int(value)
        return queryset.filter(
            Q(start_year__isnull=False) | Q(end_year__isnull=False),
            Q(start_year__lte=year) | Q(start_year__isnull=True),
            Q(end_year__gte=year) | Q(end_year__isnull=True),
        )


class AwardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Recipient, award or decision"), method="filter_text", widget=forms.SearchInput
    )
    year = django_filters.NumberFilter(label=_("Emulation year"), widget=YearInput())
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        field_name="award_type__category",
        choices=AwardType.Category.choices,
        empty_label=_("All categories"),
    )
    conferred_by = django_filters.ChoiceFilter(
        label=_("Conferred by"),
        field_name="award_type__conferred_by",
        choices=[c for c in AwardType.Conferrer.choices if c[0]],
        empty_label=_("Any level"),
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"),
        to_field_name="slug",
        queryset=Campaign.objects.all(),
        empty_label=_("Any campaign"),
    )
    award_type = django_filters.ModelChoiceFilter(
        label=_("Award"), queryset=AwardType.objects.all(), empty_label=_("Any award")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Recipient unit (with its sub-units)"),
        method="filter_unit",
        to_field_name="slug",
        queryset=Unit.objects.all(),
        empty_label=_("Any unit"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("-year", _("Newest first")), ("year", _("Oldest first"))],
        empty_label=None,
        method="sort_by",
    )

    class Meta:
        model = Award
        fields = ["q", "year", "category", "conferred_by", "award_type", "campaign", "unit"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        selected = self.data.get("unit") if self.data else None
        self.form.fields["unit"].widget.choices = UnitTreeChoices(selected)
        # With JavaScript (static/js/unit_search.js), a search box over any unit replaces the
        # select, which lists only the top of a large tree.
        self.form.fields["unit"].widget.attrs.update(
            {
                "data-search-url": reverse_lazy("movement:unit_suggestions"),
                "data-search-placeholder": _("Type part of a unit's name"),
                "data-search-none": _("No unit has this name"),
                "data-search-pick": _("Pick a unit from the list"),
            }
        )

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Awards are the one table large enough to need the trigram index (movement.search);
        # a public page searches only what it shows, never the staff's note.
        return queryset.filter(award_public_text_contains(typed_words(value)))

    def filter_unit(self, queryset: QuerySet, name: str, value: Unit) -> QuerySet:
        return queryset.filter(recipient_unit__in=value.subtree().values("pk"))

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Both orders follow the (year, id) index, forwards or backwards: a million awards are
        # never sorted to show fifty. Newest first is the list's own order.
        if value == "year":
            return queryset.order_by("year", "pk")
        return queryset
