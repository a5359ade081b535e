"""The tallies the database keeps (movement.models.tallies, migration 0035) equal a count of the
awards in force after any sequence of writes, and two writers of the same year's awards on
PostgreSQL neither wait on each other nor deadlock."""

import datetime
import os
import threading
import uuid

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from movement.models import (
    Award,
    AwardType,
    Campaign,
    CampaignTally,
    Decision,
    Unit,
    UnitYearTally,
    YearTally,
    compact_tallies,
)
from movement.models.tallies import TALLIES
from tests.spreadsheets import ROUND_TRIP

DAY = datetime.date(2019, 5, 1)


def counted() -> dict[str, set]:
    """Each tally as a GROUP BY count of the awards in force would make it."""
    awards = Award.objects.in_force().order_by()
    return {
        "campaign": set(
            awards.filter(campaign__isnull=False)
            .values_list("campaign", "award_type")
            .annotate(Count("pk"))
        ),
        "year": set(
            awards.values_list("year", "award_type")
            .annotate(n=Count("pk"), recipients=Sum(Coalesce("group_count", 1)))
            .values_list("year", "award_type", "n", "recipients")
        ),
        "unit": set(
            awards.filter(recipient_unit__isnull=False)
            .values_list("recipient_unit", "year")
            .annotate(Count("pk"))
        ),
    }


def tallied() -> dict[str, set]:
    """Each tally's rows added up, the keys whose sums are all zero left out."""

    def summed(model, *keys, sums=("awards",)):
        rows = model.objects.order_by().values_list(*keys).annotate(*(Sum(s) for s in sums))
        return {row for row in rows if any(row[len(keys) :])}

    return {
        "campaign": summed(CampaignTally, "campaign", "award_type"),
        "year": summed(YearTally, "year", "award_type", sums=("awards", "recipients")),
        "unit": summed(UnitYearTally, "unit", "year"),
    }


@pytest.fixture
def world(department, division, flag_type, order_type, campaign) -> dict:
    other = Campaign.objects.create(name="Phong trào khác", slug="khac", kind=campaign.kind)
    return {
        "units": [department, division],
        "types": [flag_type, order_type],
        "campaigns": [None, campaign, other],
        "decision": Decision.objects.create(number="88/QĐ-BCA", date=DAY),
    }


# One award: (unit index or None for an unnamed group of n, type, year, campaign index).
AWARD = st.tuples(
    st.one_of(st.none(), st.integers(0, 1)),
    st.integers(0, 1),
    st.integers(2017, 2019),
    st.integers(0, 2),
    st.integers(1, 4),
)
WRITE = st.one_of(
    st.tuples(st.just("create"), AWARD),
    st.tuples(st.just("bulk_create"), st.lists(AWARD, min_size=1, max_size=4)),
    st.tuples(
        st.just("change"),
        st.integers(0, 20),
        st.sampled_from(["award_type", "year", "campaign", "unit", "revoked", "group_count"]),
        st.integers(0, 4),
    ),
    st.tuples(st.just("update_year"), st.integers(2017, 2019), st.integers(2017, 2019)),
    st.tuples(st.just("update_campaign"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("revoke_year"), st.integers(2017, 2019), st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("delete_year"), st.integers(2017, 2019)),
    st.tuples(st.just("compact")),
)


def new_award(world: dict, spec: tuple) -> Award:
    unit, kind, year, campaign, n = spec
    # A number of its own: the awards' unique constraints refuse no write of the sequence.
    award = Award(
        award_type=world["types"][kind],
        year=year,
        campaign=world["campaigns"][campaign],
        decision_number=uuid.uuid4().hex,
    )
    if unit is None:
        award.group_kind, award.group_count = "collective", n
    else:
        award.recipient_unit = world["units"][unit]
    return award


def revoked(world: dict, yes: bool) -> dict:
    if yes:
        return {"revoked_on": DAY, "revoked_by": world["decision"], "revocation_reason": "Sai"}
    return {"revoked_on": None, "revoked_by": None, "revocation_reason": ""}


def change(world: dict, award: Award, field: str, value: int) -> None:
    if field == "award_type":
        award.award_type = world["types"][value % 2]
    elif field == "year":
        award.year = 2017 + value % 3
    elif field == "campaign":
        award.campaign = world["campaigns"][value % 3]
    elif field == "unit" and award.recipient_unit_id:
        award.recipient_unit = world["units"][value % 2]
    elif field == "group_count" and award.group_count:
        award.group_count = value + 1
    elif field == "revoked":
        for name, new in revoked(world, value % 2 == 0).items():
            setattr(award, name, new)
    award.save()


def write(world: dict, step: tuple) -> None:
    match step:
        case ("create", spec):
            new_award(world, spec).save()
        case ("bulk_create", specs):
            Award.objects.bulk_create([new_award(world, spec) for spec in specs])
        case ("change", index, field, value):
            awards = list(Award.objects.order_by("pk"))
            if awards:
                change(world, awards[index % len(awards)], field, value)
        case ("update_year", old, new):
            Award.objects.filter(year=old).update(year=new)
        case ("update_campaign", old, new):
            campaigns = world["campaigns"]
            Award.objects.filter(campaign=campaigns[old]).update(campaign=campaigns[new])
        case ("revoke_year", year, yes):
            Award.objects.filter(year=year).update(**revoked(world, yes))
        case ("delete", index):
            awards = list(Award.objects.order_by("pk"))
            if awards:
                awards[index % len(awards)].delete()
        case ("delete_year", year):
            Award.objects.filter(year=year).delete()
        case ("compact",):
            compact_tallies()


@ROUND_TRIP
@given(steps=st.lists(WRITE, max_size=12))
def test_every_tally_equals_a_count_of_the_awards_in_force(world, steps):
    with transaction.atomic():
        for step in steps:
            write(world, step)
            assert tallied() == counted(), step
        compact_tallies()
        assert tallied() == counted()
        # Folded: one row a key, none for a key whose awards are gone.
        assert CampaignTally.objects.count() == len(counted()["campaign"])
        assert YearTally.objects.count() == len(counted()["year"])
        assert UnitYearTally.objects.count() == len(counted()["unit"])
        transaction.set_rollback(True)


def test_a_campaign_deleted_with_its_awards_leaves_no_tally(world, campaign, flag_type, division):
    Award.objects.create(
        award_type=flag_type, year=2018, recipient_unit=division, campaign=campaign
    )
    Award.objects.filter(campaign=campaign).delete()
    campaign.delete()
    compact_tallies()
    assert not CampaignTally.objects.exists()
    assert tallied() == counted()


def test_totals_add_up_a_keys_rows_and_leave_out_the_empty(world, campaign, flag_type, division):
    common = {"award_type": flag_type, "year": 2018, "recipient_unit": division}
    award = Award.objects.create(**common, campaign=campaign, decision_number="1/QĐ")
    Award.objects.create(**common, campaign=campaign, decision_number="2/QĐ")
    assert CampaignTally.objects.filter(campaign=campaign).totals("award_type") == {flag_type.pk: 2}
    assert YearTally.objects.filter(year=2018).totals("award_type", "recipients", "awards") == {
        flag_type.pk: (2, 2)
    }
    Award.objects.exclude(pk=award.pk).update(year=2019)
    award.delete()
    assert UnitYearTally.objects.filter(unit=division).totals("year") == {2019: 1}


# -- Two writers at once, on PostgreSQL ------------------------------------------------------

ON_POSTGRESQL = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="SQLite's writers take the database's one lock in turn",
)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_a_year_in_opposite_orders_neither_wait_nor_deadlock(division, campaign):
    types = [
        AwardType.objects.create(
            name=f"Giấy khen {n}", category="certificate", for_collectives=True
        )
        for n in range(2)
    ]
    units = [
        Unit.objects.create(name=f"Đội {n}", slug=f"doi-{n}", parent=division) for n in range(2)
    ]
    # The same keys in every tally, written by two decisions' imports. Each writer holds its
    # transaction open after its first type until the other has written its own first: a
    # counter row kept by UPDATE would make the second wait on the first, and each then wait
    # on the other for its second type.
    both_wrote_first = threading.Barrier(2, timeout=20)
    errors = []

    def importer(order: list[AwardType], number: str) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                for n, award_type in enumerate(order):
                    Award.objects.bulk_create(
                        Award(
                            award_type=award_type,
                            year=2020,
                            recipient_unit=unit,
                            campaign=campaign,
                            decision_number=number,
                        )
                        for unit in units
                    )
                    if n == 0:
                        both_wrote_first.wait()
        except Exception as error:  # reported below, by the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=importer, args=(order, number))
        for order, number in [(types, "1/QĐ"), (types[::-1], "2/QĐ")]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert YearTally.objects.filter(year=2020).totals("award_type") == {
        award_type.pk: 4 for award_type in types
    }
    compact_tallies()
    assert YearTally.objects.filter(year=2020).count() == 2
    assert tallied() == counted()
    for alias in connections:
        connections[alias].close()


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_compaction_neither_waits_on_a_writer_nor_loses_its_rows(division, flag_type):
    Award.objects.create(award_type=flag_type, year=2020, recipient_unit=division)
    Award.objects.create(
        award_type=flag_type, year=2020, recipient_unit=division, decision_number="2"
    )
    written, folded, errors = threading.Event(), threading.Event(), []

    def writer() -> None:
        try:
            with transaction.atomic():
                Award.objects.create(
                    award_type=flag_type, year=2020, recipient_unit=division, decision_number="3"
                )
                written.set()
                # Open until the compaction has run: its rows are not yet there for it to see.
                assert folded.wait(timeout=20)
        except Exception as error:  # reported below, by the test's thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(timeout=20)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    compact_tallies()
    folded.set()
    thread.join(timeout=30)
    assert errors == []
    assert YearTally.objects.filter(year=2020).totals("award_type") == {flag_type.pk: 3}
    assert tallied() == counted()
    compact_tallies()
    assert YearTally.objects.filter(year=2020).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@pytest.mark.django_db
def test_nobody_is_given_a_permission_on_the_tallies_which_the_triggers_alone_write():
    from django.contrib.auth.models import Permission

    assert not Permission.objects.filter(
        content_type__app_label="movement", content_type__model__endswith="tally"
    ).exists()
    with translation.override("vi"):
        assert [str(model._meta.verbose_name) for model in TALLIES] == [
            "bảng đếm theo phong trào",
            "bảng đếm theo năm",
            "bảng đếm theo đơn vị và năm",
        ]
