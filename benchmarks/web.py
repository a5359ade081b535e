"""The admin changelist and public page cases, requested through Django's test client.

Each request goes through the whole stack a browser's would: middleware, session, the view, the
template. The admin cases are signed in as a superuser; the public pages are read anonymously.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from movement.admin.paginator import estimated_count
from movement.models import Award, AwardType, Campaign, Person, Proposal, ProposalLine, Unit

from . import baseline
from .measure import measure, measure_side_by_side
from .results import CaseResult

# A year in the middle of the generated range, and the name searched for: the report's own
# department head, typed without accents as staff do ("Nguyễn Văn Khảo").
YEAR = 2017
NAME = "Nguyễn Văn Khảo"
FOLDED_NAME = "nguyen van khao"
STOCK = "stock ModelAdmin"


@dataclass(frozen=True)
class Subjects:
    """The records the cases look at, chosen the same way at every size."""

    province: Unit
    campaign: Campaign
    last_page: int  # of our list, whose count of a big table is PostgreSQL's estimate
    stock_last_page: int  # of the stock list, which counts exactly

    @classmethod
    def find(cls, per_page: int = 100) -> Subjects:
        """``per_page`` is the admins' ``list_per_page``, Django's 100 for both."""
        # The first province (Hà Nội) with its districts and teams: a big subtree, not the tree.
        province = Unit.objects.filter(kind=Unit.Kind.PROVINCIAL_POLICE).order_by("pk").first()
        if province is None:
            province = Unit.objects.order_by("pk").first()
        # The year's emulation campaign, which most of the year's awards crown.
        campaign = (
            Campaign.objects.filter(start_year=YEAR)
            .annotate(awarded=Count("awards"))
            .order_by("-awarded", "pk")
            .first()
        ) or Campaign.objects.order_by("pk").first()
        # Each list's last page as it links to it: ours pages a whole big table by the
        # planner's estimate (movement.admin.paginator), so at ten million awards its last
        # page is a few short of the exact count's.
        awards = Award.objects.all()
        estimate = estimated_count(awards)
        exact = awards.count()
        return cls(
            province=province,
            campaign=campaign,
            last_page=max(1, math.ceil((exact if estimate is None else estimate) / per_page)),
            stock_last_page=max(1, math.ceil(exact / per_page)),
        )


def superuser_client() -> Client:
    user, _ = get_user_model().objects.get_or_create(
        username="benchmark", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> Callable[[], None]:
    def action() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        # Reading the content is part of serving the page.
        _ = response.content

    return action


def _url(base: str, **params: object) -> str:
    return f"{base}?{urlencode(params)}" if params else base


@dataclass(frozen=True)
class ChangelistCase:
    name: str
    url: str
    stock_url: str
    note: str = ""  # what the stock admin's request does differently


def changelist_cases(subjects: Subjects, folded_name: str = FOLDED_NAME) -> list[ChangelistCase]:
    """The award list as staff use it, in our admin and in the stock one."""
    ours = reverse("admin:movement_award_changelist")
    stock = reverse(f"{baseline.site.name}:movement_award_changelist")
    unit = subjects.province.pk
    return [
        ChangelistCase("changelist:first_page", ours, stock),
        ChangelistCase(
            "changelist:year_filter", _url(ours, year=YEAR), _url(stock, year__exact=YEAR)
        ),
        ChangelistCase(
            "changelist:unit_filter",
            _url(ours, unit=unit),
            _url(stock, recipient_unit__id__exact=unit),
            "the unit alone: stock filters cannot take a subtree",
        ),
        ChangelistCase(
            "changelist:search",
            _url(ours, q=folded_name),
            _url(stock, q=NAME),
            "typed with accents, which stock search needs",
        ),
        ChangelistCase(
            "changelist:last_page",
            _url(ours, p=subjects.last_page),
            _url(stock, p=subjects.stock_last_page),
        ),
    ]


def page_urls(subjects: Subjects) -> dict[str, str]:
    """The public pages whose size follows the data: a big campaign, a province, a year."""
    return {
        "page:campaign": subjects.campaign.get_absolute_url(),
        "page:unit": subjects.province.get_absolute_url(),
        "page:year": reverse("movement:year_detail", kwargs={"year": YEAR}),
    }


# A unit's proposal of this many lines, each checked against the rules of eligibility on its
# page (movement.cycle): what a big unit sends at the end of the year.
PROPOSAL_LINES = 500
PROPOSAL_TITLE = f"Đề nghị khen thưởng năm {YEAR} (benchmark, {PROPOSAL_LINES} dòng)"


def proposal_url(subjects: Subjects) -> str:
    """The page of a proposal of PROPOSAL_LINES of the province's people for the grassroots
    title (made once per database, marked as the benchmark's by its title)."""
    proposal = Proposal.objects.filter(title=PROPOSAL_TITLE).first()
    if proposal is None:
        award_type = (
            AwardType.objects.filter(name="Chiến sĩ thi đua cơ sở").order_by("pk").first()
            or AwardType.objects.filter(for_individuals=True).order_by("pk").first()
        )
        proposal = Proposal.objects.create(unit=subjects.province, year=YEAR, title=PROPOSAL_TITLE)
        people = Person.objects.filter(unit__in=subjects.province.subtree()).order_by("pk")
        people = list(people[:PROPOSAL_LINES]) or list(
            Person.objects.order_by("pk")[:PROPOSAL_LINES]
        )
        ProposalLine.objects.bulk_create(
            ProposalLine(proposal=proposal, person=person, award_type=award_type)
            for person in people
        )
    return reverse("admin:movement_proposal_page", args=[proposal.pk])


def measure_changelists(runs: int) -> list[CaseResult]:
    client = superuser_client()
    results = []
    for case in changelist_cases(Subjects.find()):
        mine, theirs = measure_side_by_side(
            _get(client, case.url), _get(client, case.stock_url), runs
        )
        results.append(
            CaseResult(
                name=case.name,
                ms=mine.ms,
                queries=mine.queries,
                baseline=STOCK,
                baseline_ms=theirs.ms,
                baseline_queries=theirs.queries,
                note=case.note,
            )
        )
    return results


def measure_pages(runs: int) -> list[CaseResult]:
    client = Client()  # the public pages, as read by someone not signed in
    results = []
    for name, url in page_urls(Subjects.find()).items():
        timing = measure(_get(client, url), runs)
        results.append(CaseResult(name=name, ms=timing.ms, queries=timing.queries))
    # The proposal's page is staff's, in the admin.
    timing = measure(_get(superuser_client(), proposal_url(Subjects.find())), runs)
    results.append(CaseResult(name="page:proposal", ms=timing.ms, queries=timing.queries))
    return results
