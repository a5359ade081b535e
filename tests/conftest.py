"""Shared test data: a small unit tree, people, award types and a campaign.

Fixtures here build only what many test modules need; a module that needs more builds it itself.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import translation

from config.replica import REPLICA_DB_ALIAS
from movement.models import AwardType, Campaign, Event, Person, Rank, Unit
from tests.spreadsheets import HEADERS


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix) -> None:
    """With --reuse-db, keep SQLite's test database in a file, so a run skips the migrations.

    SQLite's test database lives in memory and cannot be kept; migrating it takes most of a short
    run's time, which `make mutate` pays for every mutant. Without --reuse-db nothing changes.
    """
    database = connections["default"].settings_dict
    if request.config.getvalue("reuse_db") and database["ENGINE"].endswith("sqlite3"):
        worker = getattr(request.config, "workerinput", {}).get("workerid", "")  # pytest-xdist
        database["TEST"]["NAME"] = str(Path(database["NAME"]).with_name(f"test-db{worker}.sqlite3"))
    if REPLICA_DB_ALIAS not in connections:
        # The router's tests route reads to a "replica": here a second connection to the test
        # database (a test mirror), used only where a test installs the router.
        connections.settings[REPLICA_DB_ALIAS] = {
            **database,
            "TEST": {**database["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
        }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup) -> None:
    """With a real replica (DATABASE_REPLICA_URL), read the test database on it, which streams
    it from the primary: Django points a test mirror at the primary's own test database."""
    replica = settings.DATABASES.get(REPLICA_DB_ALIAS)
    if settings.DATABASE_REPLICA_URL and replica:
        test_name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        connections[REPLICA_DB_ALIAS].close()
        connections[REPLICA_DB_ALIAS].settings_dict = {**replica, "NAME": test_name}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked own_sqlite when the suite runs on PostgreSQL: they make a SQLite
    database of their own (a server started as `make run` starts it, the office's load), so the
    PostgreSQL run would only repeat the SQLite run, at a minute or two of CI's time."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        return
    skip = pytest.mark.skip(reason="its own SQLite database: the SQLite run tests it")
    for item in items:
        if item.get_closest_marker("own_sqlite"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Real hashers are slow by design; tests log in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ministry(db) -> Unit:
    return Unit.objects.create(name="Bộ Công an", slug="bo-cong-an", kind=Unit.Kind.MINISTRY)


@pytest.fixture
def department(ministry) -> Unit:
    return Unit.objects.create(
        name="Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc",
        short_name="Cục XDPT toàn dân bảo vệ ANTQ",
        slug="cuc-xdpt",
        kind=Unit.Kind.DEPARTMENT,
        parent=ministry,
    )


@pytest.fixture
def division(department) -> Unit:
    return Unit.objects.create(
        name="Phòng Tham mưu", slug="phong-tham-muu", kind=Unit.Kind.DIVISION, parent=department
    )


@pytest.fixture
def person(department) -> Person:
    return Person.objects.create(
        full_name="Nguyễn Văn Khảo",
        slug="nguyen-van-khao",
        rank=Rank.objects.get(name="Trung tướng"),
        position="Cục trưởng",
        unit=department,
    )


@pytest.fixture
def flag_type(db) -> AwardType:
    """A collective-only award type."""
    return AwardType.objects.create(
        name="Cờ thi đua xuất sắc của Bộ Công an",
        category=AwardType.Category.FLAG,
        conferred_by=AwardType.Conferrer.MINISTER,
        for_collectives=True,
    )


@pytest.fixture
def order_type(db) -> AwardType:
    """An award type for individuals and collectives alike."""
    return AwardType.objects.create(
        name="Huân chương Bảo vệ Tổ quốc",
        award_class=AwardType.Class.THIRD,
        category=AwardType.Category.ORDER,
        conferred_by=AwardType.Conferrer.STATE_PRESIDENT,
        for_individuals=True,
        for_collectives=True,
    )


@pytest.fixture
def event(department) -> Event:
    return Event.objects.create(
        name="Hội nghị triển khai công tác năm 2017", slug="hoi-nghi-2017", organiser=department
    )


@pytest.fixture
def campaign(department, person, event) -> Campaign:
    return Campaign.objects.create(
        name="Phong trào thi đua “Vì ANTQ” năm 2017",
        slug="vi-antq-2017",
        kind=Campaign.Kind.EMULATION,
        start_year=2017,
        end_year=2017,
        slogan="đổi mới, đoàn kết, kỷ cương, trách nhiệm, hiệu quả",
        launched_by_unit=department,
        launched_by_person=person,
        launch_event=event,
    )


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language. A request in English (the language cookie)
    leaves English active in the thread, as LocaleMiddleware activates it; the next test on the
    same worker would otherwise read its messages in English, whichever test ran before it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files the app writes (background exports) go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english():
    """Messages are checked in English, the language of their msgids; headers stay Vietnamese.
    (Pages requested through the test client are in Vietnamese, the site's language.)"""
    with translation.override("en"):
        yield


@pytest.fixture
def awards_file(division, person, flag_type, order_type):
    """Three new awards as a unit would send them (tests/spreadsheets.py: HEADERS, AWARDS)."""
    return [
        HEADERS,
        [2016, flag_type.name, "", division.name, "", "1/QĐ"],
        [2016, order_type.name, "hạng Ba", "", person.full_name, "2/QĐ"],
        [2017, order_type.name, "Ba", division.short_name or division.name, "", "3/QĐ"],
    ]
