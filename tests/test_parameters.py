"""No query parameter of any list page answers 500: NUL bytes, words where numbers go, numbers
too big for any column, negative numbers and very long values get a page, a redirect to the
list's error flag (admin, ``?e=1``), 400 or 404.

The lists and their parameters are found, not listed: every public page without path
arguments whose context holds a form (a FilterSet's or its own) or a paginator, with its
downloads, and every admin changelist with its filters, search, ordering, page and the
admin's own parameters. Run on PostgreSQL too: only it refuses NUL in text.
"""

import io
from collections.abc import Iterator

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.main import (
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    TO_FIELD_VAR,
)
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django_filters import FilterSet

from movement.admin.dates import DateHierarchyMixin
from movement.models import Award, Person, Unit, WorkArea, WorkPlan
from tests.factories import every_model, member

HOSTILE_VALUES = {
    "NUL byte": "a\x00b",
    "word": "abc",
    "huge number": str(10**30),
    "negative number": "-1",
    "huge negative number": str(-(10**30)),
    "the last year a date holds": "9999",
    "5,000 characters": "x" * 5000,
    "5,000 digits": "9" * 5000,
}
ACCEPTED = {200, 302, 400, 404}


def public_lists() -> list[str]:
    """The names of the public pages reached without arguments (home, lists)."""
    return [
        pattern.name
        for pattern in get_resolver("movement.urls").url_patterns
        if isinstance(pattern, URLPattern) and not pattern.pattern.regex.groups
    ]


def downloads(name: str) -> list[str]:
    """The URLs of a list's downloads, named after it: campaign_list → campaign_export."""
    stem = name.removesuffix("_list")
    names = {pattern.name for pattern in get_resolver("movement.urls").url_patterns}
    if f"{stem}_export" not in names:
        return []
    return [reverse(f"movement:{stem}_export", kwargs={"fmt": fmt}) for fmt in ["csv", "xlsx"]]


def admin_models() -> list[type[Model]]:
    return [model for model in every_model() if admin.site.is_registered(model)]


# Pages that render no template, so hold no form to find their parameters in: what they read.
JSON_PARAMETERS = {"movement:unit_suggestions": ["q"]}


def form_parameters(response: HttpResponse) -> Iterator[str]:
    """The query parameters a public page reads: its forms' fields, and its page number."""
    if response.context is None:
        yield from JSON_PARAMETERS[f"movement:{response.resolver_match.url_name}"]
        return
    for context in response.context:
        for value in context.flatten().values():
            if isinstance(value, FilterSet):
                value = value.form
            if isinstance(value, forms.BaseForm):
                yield from (value.add_prefix(name) for name in value.fields)
    if response.context.get("paginator") is not None:
        yield "page"


def changelist_parameters(response: HttpResponse) -> Iterator[str]:
    """The query parameters an admin changelist reads."""
    changelist = response.context["cl"]
    for spec in changelist.filter_specs:
        yield from spec.expected_parameters()
    if changelist.date_hierarchy:
        yield from (f"{changelist.date_hierarchy}__{part}" for part in ["year", "month", "day"])
    yield from [SEARCH_VAR, ORDER_VAR, PAGE_VAR, IS_POPUP_VAR, TO_FIELD_VAR, "_facets"]


def refused(client: Client, urls: list[str], parameters: set[str]) -> list[tuple]:
    """Each (URL, parameter, value, status) answered with something else than ACCEPTED."""
    client.raise_request_exception = False
    found = []
    for url in urls:
        for parameter in sorted(parameters):
            for label, value in HOSTILE_VALUES.items():
                status = client.get(url, {parameter: value}).status_code
                if status not in ACCEPTED:
                    found.append((url, parameter, label, status))
    return found


def test_a_nul_in_the_query_string_is_a_bad_request(client, db):
    assert client.get(reverse("movement:unit_list"), {"q": "a\x00b"}).status_code == 400
    assert client.get(reverse("movement:unit_list"), {"q\x00": "a"}).status_code == 400
    assert client.get(reverse("movement:unit_list"), {"q": "a b"}).status_code == 200


def test_a_year_that_is_no_number_sends_the_admin_list_back_to_its_error_flag(
    client, division, flag_type
):
    Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division)
    client.force_login(member("viewer"))
    url = reverse("admin:movement_award_changelist")
    for year in ["abc", "9" * 5000, str(10**30)]:
        response = client.get(url, {"year": year})
        assert (response.status_code, response.url) == (302, f"{url}?e=1"), year
    assert client.get(url, {"year": "2017"}).status_code == 200


@pytest.fixture
def records(db) -> None:
    """Something for every list and filter to show."""
    call_command("load_report", stdout=io.StringIO())
    WorkArea.objects.create(plan=WorkPlan.objects.first(), number=1, name="Xây dựng lực lượng")


@pytest.mark.parametrize("name", public_lists())
def test_no_public_list_parameter_answers_500(client, records, name, settings):
    # Every download is tried, more often than a visitor may (their limit has its own tests).
    settings.EXPORT_PUBLIC_PER_MINUTE = 10**6
    url = reverse(f"movement:{name}")
    response = client.get(url)
    assert response.status_code == 200
    parameters = set(form_parameters(response))
    if not parameters:
        pytest.skip(f"{url} reads no parameter")
    found = refused(client, [url, *downloads(name)], parameters)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("model", admin_models(), ids=lambda model: model.__name__)
def test_no_admin_changelist_parameter_answers_500(client, records, model):
    client.force_login(User.objects.create_superuser("admin", password="x"))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 200
    found = refused(client, [url], set(changelist_parameters(response)))
    assert not found, "\n".join(map(str, found))


def test_every_list_with_a_date_hierarchy_checks_its_year():
    unchecked = [
        model.__name__
        for model in apps.get_models()
        if admin.site.is_registered(model)
        and admin.site.get_model_admin(model).date_hierarchy
        and not isinstance(admin.site.get_model_admin(model), DateHierarchyMixin)
    ]
    assert unchecked == []


def test_no_eligibility_parameter_answers_500(client, records):
    """The staff's who-qualifies list (movement.admin.eligibility), and the year the person and
    unit pages show eligibility and quotas for: not found as lists are, so named here."""
    call_command("load_law", stdout=io.StringIO())
    client.force_login(member("viewer"))
    qualifying = reverse("admin:movement_person_eligibility")
    parameters = set(form_parameters(client.get(qualifying))) | {"page", "download"}
    assert {"award_type", "year", "unit"} <= parameters
    pages = [
        Person.objects.first().get_absolute_url(),
        Unit.objects.first().get_absolute_url(),
    ]
    found = refused(client, [qualifying], parameters) + refused(client, pages, {"year"})
    assert not found, "\n".join(map(str, found))
