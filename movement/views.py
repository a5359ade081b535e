"""The public pages: what staff and leaders who never open the admin read.

Every page is built in a fixed number of SQL queries whatever the amount of data: each view loads
its rows with select_related/prefetch_related and groups them in Python. Where a list can grow
without bound (the awards of a ministry over twenty years), the page shows a bounded sample with
a link to the full, filterable list, and its counts are read from the tallies the database keeps
as awards are written (movement.models.tallies): counting them would read every award.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from itertools import groupby

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connections, router
from django.db.models import Case, Count, Model, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import ListView
from django_filters import FilterSet
from django_filters.views import FilterView
from django_ratelimit.core import get_usage

from movement.charts import bar_chart
from movement.eligibility import quota_checks, verdicts
from movement.footnotes import Footnotes
from movement.list_filters import (
    AwardFilter,
    CampaignFilter,
    UnitSearchForm,
    applied_filters,
    search_words,
)
from movement.models import (
    Award,
    AwardType,
    Campaign,
    CampaignTally,
    Event,
    Person,
    RetiredCode,
    Task,
    Unit,
    UnitYearTally,
    WorkPlan,
    YearTally,
)
from movement.models.service import FIRST_YEAR, LAST_YEAR
from movement.spreadsheets.downloads import export_response
from movement.spreadsheets.exports import chosen_filters, file_name, public_columns
from movement.spreadsheets.resources import AwardResource, CampaignResource, MovementResource

HOME_CAMPAIGNS = 6
HOME_AWARDS = 10
# Recipients listed under each award type on a campaign page; the award list has the rest.
# (Kept short so that a ministry-wide campaign's page, with every type filled, renders as fast
# as a department's: the page's time goes into its rows.)
AWARDS_PER_TYPE = 5
# Awards listed on a unit page, newest first; the award list has the rest.
UNIT_AWARDS = 20
UNIT_PEOPLE = 200
# Awards a person presented, newest first, listed on their page.
PERSON_PRESENTED = 100
# A page with more plans than this shows each folded, as a line with its counts.
PLANS_OPEN = 3
# The whole tree of units is shown, each level folded below the top, up to this many units;
# past it, the levels down to UNIT_TREE_DEPTH, and each unit's page lists what is below it.
UNIT_TREE_MAX = 1000
UNIT_TREE_DEPTH = 2
UNIT_SEARCH_RESULTS = 100
# Units suggested as one types in the award filter, and the longest text searched for them.
UNIT_SUGGESTIONS = 20
UNIT_SUGGESTION_QUERY = 100
# Recipients listed under each award type on a year page; the filtered award list has the rest.
YEAR_AWARDS_PER_TYPE = 5
# An Excel download is written while the visitor waits (in constant memory, ~10 s per 100,000
# rows): past this many rows, ask for a narrower filter or the CSV, which streams any size.
# Staff may download this many; other visitors settings.EXPORT_PUBLIC_XLSX_ROWS.
EXPORT_LIMIT = 50_000

AWARD_RELATIONS = (
    "award_type",
    "recipient_unit",
    "recipient_person",
    "rank_at_award",
    "campaign",
    "source",
    "presented_by__rank",
    # A revoked award is listed struck, with the decision that revoked it.
    "revoked_by",
)


# -- Shared queries -------------------------------------------------------------------------


# The awards' years are read off the year index, one step per year found (the next year is
# the smallest one above the last): a DISTINCT over the awards would read all million of them.
YEARS_SQL = """
    WITH RECURSIVE award_years(year) AS (
        SELECT MIN(year) FROM movement_award
        UNION ALL
        SELECT (SELECT MIN(year) FROM movement_award WHERE year > award_years.year)
        FROM award_years WHERE award_years.year IS NOT NULL
    )
    SELECT year FROM award_years WHERE year IS NOT NULL
    UNION SELECT start_year FROM movement_campaign WHERE start_year IS NOT NULL
    UNION SELECT year FROM movement_workplan
    UNION SELECT year FROM movement_event WHERE year IS NOT NULL
"""


def years_with_data() -> list[int]:
    """Every year some award, campaign launch, plan or event belongs to, newest first."""
    # Where the awards are read (a replica, config/replica.py): raw SQL is not routed by itself.
    with connections[router.db_for_read(Award)].cursor() as cursor:
        cursor.execute(YEARS_SQL)
        return sorted((year for (year,) in cursor.fetchall()), reverse=True)


def campaign_rows() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("launched_by_unit")


def award_rows() -> QuerySet[Award]:
    return Award.objects.select_related(*AWARD_RELATIONS).newest_first()


def category_order() -> Case:
    """Orders, medals, flags, titles, certificates: the Law's order, most senior first."""
    return Case(
        *(
            When(award_type__category=value, then=Value(rank))
            for rank, value in enumerate(AwardType.Category.values)
        ),
        default=Value(len(AwardType.Category.values)),
    )


def category_rank(award_type: AwardType) -> int:
    return AwardType.Category.values.index(award_type.category)


def recipient_order() -> list:
    """Units, then people, then unnamed groups, each by name: the same on every database."""
    kind = Case(
        When(recipient_unit__isnull=False, then=Value(0)),
        When(recipient_person__isnull=False, then=Value(1)),
        default=Value(2),
    )
    name = Coalesce("recipient_unit__name", "recipient_person__full_name", Value(""))
    return [kind, name, "pk"]


@dataclass
class AwardGroup:
    award_type: AwardType
    awards: list[Award]
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.awards)


@dataclass
class PlanSummary:
    """A work plan with its tasks and how many were declared against how many are entered."""

    plan: WorkPlan
    tasks: list[Task]
    status_counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def missing_tasks(self) -> bool:
        declared = self.plan.declared_task_count
        return declared is not None and len(self.tasks) < declared


def summarise_plans(plans: QuerySet[WorkPlan]) -> list[PlanSummary]:
    summaries = []
    for plan in plans:
        tasks = list(plan.tasks.all())
        counts = Counter(task.status for task in tasks)
        statuses = [(label, counts[value]) for value, label in Task.Status.choices if counts[value]]
        summaries.append(PlanSummary(plan, tasks, statuses))
    return summaries


def plans_with_tasks(plans: QuerySet[WorkPlan]) -> QuerySet[WorkPlan]:
    return plans.select_related("unit", "campaign", "source").prefetch_related(
        Prefetch(
            "tasks",
            queryset=Task.objects.select_related("area", "source").prefetch_related(
                "assigned_units", "coordinating_units"
            ),
        )
    )


# -- Pages ----------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    current = list(campaign_rows().running_in(this_year))
    latest = campaign_rows().order_by("-start_year", "-end_year", "name")[
        : HOME_CAMPAIGNS + len(current)
    ]
    latest_awards = list(award_rows().in_force()[:HOME_AWARDS])
    footnotes = Footnotes()
    footnotes.cite_all(latest_awards)
    return render(
        request,
        "movement/home.html",
        {
            "this_year": this_year,
            "current_campaigns": current,
            "recent_campaigns": [c for c in latest if c not in current][:HOME_CAMPAIGNS],
            "latest_awards": latest_awards,
            "years": years_with_data(),
            "footnotes": footnotes.notes,
        },
    )


class CampaignListView(FilterView):
    filterset_class = CampaignFilter
    template_name = "movement/campaign_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Campaign]:
        return campaign_rows()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        # Counted for the shown page only: counting for every campaign would read every award.
        page = context["object_list"]
        counts = CampaignTally.objects.filter(campaign__in=[c.pk for c in page]).totals("campaign")
        for campaign in page:
            campaign.award_count = counts.get(campaign.pk, 0)
        context["export_limit"] = EXPORT_LIMIT
        context["applied_filters"] = applied_filters(context["filter"])
        return context


class AwardListView(FilterView):
    filterset_class = AwardFilter
    template_name = "movement/award_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Award]:
        return award_rows()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(export_limit=EXPORT_LIMIT, **kwargs)
        footnotes = Footnotes()
        footnotes.cite_all(context["object_list"])
        context["footnotes"] = footnotes.notes
        context["applied_filters"] = applied_filters(context["filter"])
        return context


class PersonListView(ListView):
    """Everyone on record, by name, or those whose name or position holds the words searched."""

    template_name = "movement/person_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Person]:
        people = Person.objects.select_related("rank", "unit").order_by("full_name", "pk")
        return search_words(people, self.query)

    @property
    def query(self) -> str:
        return self.request.GET.get("q", "").strip()

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(query=self.query, **kwargs)


def redirects_retired_codes(model: type[Model]) -> Callable:
    """Answer a page asked for by a code its record no longer has with a permanent redirect to
    the record's page: links made before the code changed keep working (RetiredCode)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
            try:
                return view(request, slug, **kwargs)
            except Http404:
                record = RetiredCode.objects.record(model, slug)
                if record is None:
                    raise
                query = request.GET.urlencode()
                url = record.get_absolute_url() + (f"?{query}" if query else "")
                return redirect(url, permanent=True)

        return wrapper

    return decorator


@redirects_retired_codes(Campaign)
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.select_related(
            "launched_by_unit", "launched_by_person__rank", "launch_event__organiser", "source"
        ),
        slug=slug,
    )
    plans = summarise_plans(plans_with_tasks(campaign.work_plans.order_by("-year", "unit__name")))
    award_groups = awards_by_type(
        campaign.awards.in_force(),
        totals=CampaignTally.objects.filter(campaign=campaign).totals("award_type"),
    )
    # Notes are numbered in the order the page shows the facts: the campaign, tasks, awards.
    footnotes = Footnotes()
    campaign.footnote = footnotes.cite(campaign)
    for summary in plans:
        summary.plan.footnote = footnotes.cite(summary.plan)
        footnotes.cite_all(summary.tasks)
    for group in award_groups:
        footnotes.cite_all(group.awards)
    return render(
        request,
        "movement/campaign_detail.html",
        {
            "campaign": campaign,
            "plans": plans,
            "plans_open": len(plans) <= PLANS_OPEN,
            "award_groups": award_groups,
            "award_count": sum(group.total for group in award_groups),
            "footnotes": footnotes.notes,
        },
    )


def awards_by_type(
    awards: QuerySet[Award], totals: dict[int, int], per_type: int | None = None
) -> list[AwardGroup]:
    """The awards under their types, most senior category first, at most ``per_type`` each
    (AWARDS_PER_TYPE unless told), with ``totals`` the awards of each type (from a tally).

    Two queries whatever the number of awards: the first awards of each type
    (:func:`first_of_each_type`), and those awards with their relations.
    """
    per_type = AWARDS_PER_TYPE if per_type is None else per_type
    sample = (
        Award.objects.filter(pk__in=first_of_each_type(awards, totals, per_type))
        # The type's legal text too: a group's heading cites the article that establishes it.
        .select_related(*AWARD_RELATIONS, "award_type__legal_source")
        .order_by(
            category_order(),
            "award_type__name",
            "award_type__award_class",
            "-year",
            *recipient_order(),
        )
    )
    return [
        AwardGroup(award_type, list(items), totals[award_type.pk])
        for award_type, items in groupby(sample, key=lambda award: award.award_type)
    ]


def first_of_each_type(
    awards: QuerySet[Award], type_ids: Iterable[int], per_type: int
) -> list[int]:
    """The keys of the newest ``per_type`` awards of each type, in one query.

    Each type's are read off the index on (campaign, type, year, id) by a LIMIT of their own,
    so the query reads a few rows per type however many awards there are: numbering every
    award with a window function, or asking for each type's in an OR of subqueries, costs on
    PostgreSQL as many rows as the campaign holds. Django writes no UNION of LIMITed queries
    for SQLite, so the parts it compiles are put together here.
    """
    parts, params = [], []
    for type_id in type_ids:
        newest = awards.filter(award_type=type_id).order_by("-year", "pk").values("pk")
        sql, part_params = newest[:per_type].query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS type_{len(parts)}")  # noqa: S608 (Django compiled it)
        params.extend(part_params)
    if not parts:
        return []
    with connections[awards.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [pk for (pk,) in cursor.fetchall()]


@dataclass
class YearOfAwards:
    year: int
    total: int
    awards: list[Award]

    @property
    def more(self) -> int:
        return self.total - len(self.awards)


@dataclass
class SharedTask:
    """A task of another unit's plan, with the part this unit plays in it."""

    task: Task
    leads: bool
    coordinates: bool


@redirects_retired_codes(Unit)
def unit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("source"), slug=slug)
    # The unit and every unit below it, whose awards the page shows. Read first, so that the
    # database plans the award queries for these units, few or thousands, rather than guessing
    # what a recursive subquery yields and walking a million awards newest first for a unit
    # with a few.
    subtree = list(unit.subtree().values_list("pk", flat=True))
    awards = Award.objects.in_force().filter(recipient_unit__in=subtree)
    totals = UnitYearTally.objects.filter(unit__in=subtree).totals("year")
    # The newest, then the few rows shown are ordered within each year here; only the years
    # that hold them are read.
    latest = sorted(
        awards.filter(year__in=newest_years(totals, UNIT_AWARDS))
        .select_related(*AWARD_RELATIONS)
        .newest(UNIT_AWARDS),
        key=lambda a: (
            -a.year,
            category_rank(a.award_type),
            a.award_type.name,
            str(a.recipient_unit),
        ),
    )
    shown = {year: list(items) for year, items in groupby(latest, key=lambda a: a.year)}
    award_years = [
        YearOfAwards(year, totals[year], shown.get(year, []))
        for year in sorted(totals, reverse=True)
    ]
    people = list(
        unit.people.select_related("rank").order_by("rank__seniority", "full_name")[
            : UNIT_PEOPLE + 1
        ]
    )
    shared_tasks = (
        Task.objects.filter(Q(assigned_units=unit) | Q(coordinating_units=unit))
        .exclude(plan__unit=unit)
        .distinct()
        .select_related("plan__unit")
        .prefetch_related("assigned_units", "coordinating_units")
        .order_by("-plan__year", "plan__unit__name", "number")
    )
    plans = summarise_plans(plans_with_tasks(unit.work_plans.order_by("-year")))
    # The quotas of the year asked, else of the newest year with awards.
    quota_year = chosen_year(request, max(totals, default=timezone.localdate().year))
    footnotes = Footnotes()
    unit.footnote = footnotes.cite(unit)
    footnotes.cite_all(latest)
    for summary in plans:
        summary.plan.footnote = footnotes.cite(summary.plan)
        footnotes.cite_all(summary.tasks)
    return render(
        request,
        "movement/unit_detail.html",
        {
            "unit": unit,
            "breadcrumb": unit.path(),
            "children": unit.children.order_by("name"),
            "launched_campaigns": unit.launched_campaigns.all(),
            "award_years": award_years,
            "award_count": sum(totals.values()),
            "awards_shown": len(latest),
            "people": people[:UNIT_PEOPLE],
            "more_people": len(people) > UNIT_PEOPLE,
            "plans": plans,
            "plans_open": len(plans) <= PLANS_OPEN,
            "quota_year": quota_year,
            "quota_checks": quota_checks(unit, quota_year),
            # Staff only, as a person's: a reason counts the unit's people disciplined.
            "eligibility": verdicts(unit, quota_year) if request.user.is_staff else None,
            "shared_tasks": [
                SharedTask(
                    task,
                    leads=unit in task.assigned_units.all(),
                    coordinates=unit in task.coordinating_units.all(),
                )
                for task in shared_tasks
            ],
            "footnotes": footnotes.notes,
        },
    )


def chosen_year(request: HttpRequest, default: int) -> int:
    """The year asked for in ``?year=`` when it is one an award may have, else ``default``."""
    asked = request.GET.get("year", "")
    if not (asked.isascii() and asked.isdigit() and len(asked) == 4):
        return default
    return int(asked) if FIRST_YEAR <= int(asked) <= LAST_YEAR else default


def newest_years(per_year: dict[int, int], wanted: int) -> list[int]:
    """The newest years that together hold ``wanted`` of the counts ``per_year`` (or all)."""
    years, held = [], 0
    for year in sorted(per_year, reverse=True):
        if held >= wanted:
            break
        years.append(year)
        held += per_year[year]
    return years


@redirects_retired_codes(Person)
def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("rank", "unit", "source"), slug=slug)
    # Every award of theirs, the revoked ones shown as such; counted are those in force.
    awards = list(
        person.awards.select_related(
            "award_type", "rank_at_award", "campaign", "source", "revoked_by"
        )
    )
    # What they did for others: the awards they presented, the events they chaired or attended.
    presented = list(
        person.presented_awards.select_related(*AWARD_RELATIONS, "event").newest_first()[
            : PERSON_PRESENTED + 1
        ]
    )
    participations = list(
        person.participations.select_related("event", "source").order_by(
            "-event__year", "event__name", "role"
        )
    )
    footnotes = Footnotes()
    person.footnote = footnotes.cite(person)
    footnotes.cite_all(awards)
    footnotes.cite_all(presented[:PERSON_PRESENTED])
    footnotes.cite_all(participations)
    unit_path = person.unit.path() if person.unit_id else []
    # Staff only: a reason may name a discipline or a complaint, which is not public.
    eligibility_year = chosen_year(request, timezone.localdate().year)
    eligibility = verdicts(person, eligibility_year) if request.user.is_staff else None
    return render(
        request,
        "movement/person_detail.html",
        {
            "person": person,
            "unit_path": unit_path,
            "awards": awards,
            "awards_in_force": sum(not award.is_revoked for award in awards),
            "presented": presented[:PERSON_PRESENTED],
            "more_presented": len(presented) > PERSON_PRESENTED,
            "participations": participations,
            "launched_campaigns": person.launched_campaigns.all(),
            "eligibility_year": eligibility_year,
            "eligibility": eligibility,
            "footnotes": footnotes.notes,
        },
    )


def unit_suggestions(request: HttpRequest) -> JsonResponse:
    """The units whose names hold the words typed, as JSON, for the award filter's search box.

    Any of the ministry's thousands of units, which no select could list: diacritics are
    ignored as everywhere else, but a word typed with marks keeps them (search_words).
    """
    form = UnitSearchForm(request.GET)
    query = form.cleaned_data["q"][:UNIT_SUGGESTION_QUERY] if form.is_valid() else ""
    units = []
    if query.strip():
        found = search_words(
            Unit.objects.select_related("parent").order_by("name", "pk"), query, abbreviations=True
        )
        units = list(found[: UNIT_SUGGESTIONS + 1])
    return JsonResponse(
        {
            "results": [
                {
                    "slug": unit.slug,
                    "name": unit.name,
                    "parent": unit.parent.name if unit.parent else "",
                }
                for unit in units[:UNIT_SUGGESTIONS]
            ],
            "more": len(units) > UNIT_SUGGESTIONS,
        }
    )


def unit_list(request: HttpRequest) -> HttpResponse:
    """The top of the unit tree, or the units whose names hold the words searched for."""
    form = UnitSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if query:
        found = list(
            search_words(Unit.objects.select_related("parent"), query, abbreviations=True).order_by(
                "name"
            )[: UNIT_SEARCH_RESULTS + 1]
        )
        return render(
            request,
            "movement/unit_list.html",
            {
                "form": form,
                "query": query,
                "found": found[:UNIT_SEARCH_RESULTS],
                "more_found": len(found) > UNIT_SEARCH_RESULTS,
            },
        )
    # The whole tree when it fits on a page, else its top levels: a unit's own page lists what
    # is below it.
    tree = list(
        Unit.objects.with_tree_fields()
        .order_siblings_by("name")
        .filter(is_external=False)[: UNIT_TREE_MAX + 1]
    )
    if len(tree) > UNIT_TREE_MAX:
        tree = list(
            Unit.objects.with_tree_fields()
            .order_siblings_by("name")
            .filter(is_external=False, tree_depth__lte=UNIT_TREE_DEPTH)
        )
    return render(
        request,
        "movement/unit_list.html",
        {
            "form": form,
            "units": tree_rows(tree),
            "external_units": Unit.objects.filter(is_external=True).order_by("name"),
        },
    )


@dataclass
class TreeRow:
    """A unit of the tree as the page writes it: the units below it open a folded list, and the
    levels that end after it are closed."""

    unit: Unit
    children: int
    closes: range


def tree_rows(units: list[Unit]) -> list[TreeRow]:
    """``units`` in tree order (with tree fields) as rows of nested, folded lists."""
    children = Counter(unit.parent_id for unit in units)
    rows = []
    for position, unit in enumerate(units):
        following = units[position + 1].tree_depth if position + 1 < len(units) else 0
        # A unit with children opens a level; the units after the last of a level close it.
        opened = 1 if children[unit.pk] else 0
        rows.append(TreeRow(unit, children[unit.pk], range(unit.tree_depth + opened - following)))
    return rows


@dataclass
class Tally:
    label: str
    count: int


def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    years = years_with_data()
    if year not in years:
        # Say which years do have data rather than a bare "not found".
        return render(
            request, "movement/year_missing.html", {"year": year, "years": years}, status=404
        )
    tallies = YearTally.objects.filter(year=year).totals("award_type", "awards", "recipients")
    per_type = {type_id: n for type_id, (_awards, n) in tallies.items()}
    award_counts = {type_id: count for type_id, (count, _n) in tallies.items()}
    types = AwardType.objects.in_bulk(per_type)
    by_category: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    for type_id, count in per_type.items():
        by_category[types[type_id].category] += count
        by_level[types[type_id].conferred_by] += count
    ranked = sorted(per_type.items(), key=lambda item: (-item[1], str(types[item[0]])))
    status_counts = dict(
        Task.objects.filter(plan__year=year)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    honoured = awards_by_type(
        Award.objects.in_force().filter(year=year), award_counts, YEAR_AWARDS_PER_TYPE
    )
    footnotes = Footnotes()
    for group in honoured:
        footnotes.cite_all(group.awards)
    index = years.index(year)
    return render(
        request,
        "movement/year_detail.html",
        {
            "year": year,
            "newer_year": years[index - 1] if index > 0 else None,
            "older_year": years[index + 1] if index + 1 < len(years) else None,
            "recipient_count": sum(per_type.values()),
            "chart": bar_chart([(str(types[type_id]), n) for type_id, n in ranked]),
            "categories": [
                Tally(label, by_category[value])
                for value, label in AwardType.Category.choices
                if by_category[value]
            ],
            "levels": [
                Tally(label, by_level[value])
                for value, label in AwardType.Conferrer.choices
                if by_level[value]
            ],
            "task_statuses": [
                Tally(label, status_counts.get(value, 0)) for value, label in Task.Status.choices
            ],
            "task_count": sum(status_counts.values()),
            "plans": WorkPlan.objects.filter(year=year)
            .select_related("unit", "campaign")
            .annotate(entered=Count("tasks"))
            .order_by("unit__name"),
            "honoured": honoured,
            # Running this year: the source may give a campaign's years without saying when,
            # or by whom, it was launched.
            "campaigns": list(
                campaign_rows()
                .running_in(year)
                .select_related("launch_event")
                .order_by("-start_year", "name")
            ),
            "events": Event.objects.filter(year=year).select_related("organiser"),
            "footnotes": footnotes.notes,
        },
    )


# -- Exports --------------------------------------------------------------------------------


def export_rate(group: str, request: HttpRequest) -> str | None:
    """How often one address may download from the public lists; staff are not counted."""
    return None if request.user.is_staff else f"{settings.EXPORT_PUBLIC_PER_MINUTE}/m"


def xlsx_limit(request: HttpRequest) -> int:
    """The most rows an Excel download from a public list may hold for this visitor."""
    return EXPORT_LIMIT if request.user.is_staff else settings.EXPORT_PUBLIC_XLSX_ROWS


def export(
    request: HttpRequest,
    filterset_class: type[FilterSet],
    queryset: QuerySet,
    resource_class: type[MovementResource],
    list_url: str,
    export_url: str,
    fmt: str,
) -> HttpResponse:
    """The rows a list page shows for the same query string, as an Excel or CSV download.

    The file holds the columns the public pages show, whoever downloads it (staff export every
    column from the admin). Visitors who are not staff are limited in how often they download
    and in how many rows an Excel file holds: each download keeps an app server busy.
    """
    query = request.GET.urlencode()
    back = f"{reverse(list_url)}?{query}"
    usage = get_usage(request, group="public-export", key="ip", rate=export_rate, increment=True)
    if usage is not None and usage["should_limit"]:
        wait = max(usage["time_left"], 1)
        response = render(
            request,
            "movement/export_rate_limited.html",
            {"limit": usage["limit"], "wait": wait, "back": back},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    # As on the page (FilterView is strict): an invalid filter shows nothing, so exports nothing.
    rows = queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    limit = xlsx_limit(request)
    if fmt == "xlsx" and (count := rows.count()) > limit:
        return render(
            request,
            "movement/export_too_large.html",
            {
                "count": count,
                "limit": limit,
                "back": back,
                "csv": f"{reverse(export_url, kwargs={'fmt': 'csv'})}?{query}",
                # Staff may download more: signing in brings the visitor back to this file.
                "sign_in": redirect_to_login(request.get_full_path(), "admin:login").url
                if not request.user.is_staff and count <= EXPORT_LIMIT
                else None,
            },
            status=413,
        )
    resource = resource_class()
    filters = chosen_filters(filterset.form) if filterset.is_bound and filterset.is_valid() else []
    return export_response(
        resource,
        rows,
        fmt,
        selected=public_columns(resource),
        name=file_name(resource, fmt, filters),
    )


def campaign_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return export(
        request,
        CampaignFilter,
        campaign_rows(),
        CampaignResource,
        "movement:campaign_list",
        "movement:campaign_export",
        fmt,
    )


def award_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return export(
        request,
        AwardFilter,
        award_rows(),
        AwardResource,
        "movement:award_list",
        "movement:award_export",
        fmt,
    )
