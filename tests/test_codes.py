"""Codes that keep Vietnamese letters: made from names by folding, migrated where they lost
letters (migration 0017), and old links answered with a permanent redirect to the new code."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from movement.models import Campaign, Event, Person, RetiredCode, Source, Unit

# The migration's functions, run here on records made for the purpose.
migration = importlib.import_module("movement.migrations.0020_facts_codes")


# -- Made from names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "what_urlify_made"),
    [
        # The issue's own examples, as Django's prepopulating script wrote them.
        ("Trần Thị Hồng Nhung", "trn-th-hng-nhung"),
        ("Phòng Xây dựng lực lượng nòng cốt", "phong-xay-dng-lc-lng-nong-ct"),
        ("Đỗ Văn Đức", "dj-van-djc"),
    ],
)
def test_the_migration_knows_what_djangos_script_made_of_a_name(name, what_urlify_made):
    assert migration.urlify(name) == what_urlify_made
    assert migration.is_lossy(what_urlify_made, name)
    assert migration.is_lossy(f"{what_urlify_made}-2", name)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("tran-thi-hong-nhung", "Trần Thị Hồng Nhung"),  # already folded
        ("cuc-xdpt", "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc"),  # typed
        ("trn-th-hng-nhung-ban", "Trần Thị Hồng Nhung"),  # not a numbering
    ],
)
def test_codes_typed_by_hand_or_already_folded_are_not_lossy(code, name):
    assert not migration.is_lossy(code, name)


@pytest.mark.parametrize(
    ("url", "data", "model", "code"),
    [
        (
            "admin:movement_campaign_add",
            {"name": "Phong trào “Vì ANTQ” năm 2018", "kind": "emulation"},
            Campaign,
            "phong-trao-vi-antq-nam-2018",
        ),
        (
            "admin:movement_event_add",
            {"name": "Hội nghị sơ kết 6 tháng đầu năm 2018"},
            Event,
            "hoi-nghi-so-ket-6-thang-dau-nam-2018",
        ),
        (
            "admin:movement_source_add",
            {"title": "Quyết định của Bộ trưởng", "kind": "decision"},
            Source,
            "quyet-dinh-cua-bo-truong",
        ),
    ],
)
def test_a_campaign_event_or_source_added_without_a_code_gets_one_made_from_the_name(
    admin_client, url, data, model, code
):
    page = admin_client.get(reverse(url)).content.decode()
    # Django's prepopulating script would drop the letters it has no table for.
    assert "prepopulated_fields" not in page
    response = admin_client.post(
        reverse(url),
        {
            **data,
            "slug": "",
            **management_forms(page),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert model.objects.filter(slug=code).exists()


def management_forms(page: str) -> dict[str, str]:
    """The empty inline formsets a change form carries (an event's participations)."""
    forms = {}
    for prefix in ("participations",):
        if f'name="{prefix}-TOTAL_FORMS"' in page:
            forms |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return forms


# -- Migrated -------------------------------------------------------------------------------


@pytest.fixture
def lossy(ministry):
    """Records whose codes Django's prepopulating script made, beside one already folded."""
    folded = Person.objects.create(full_name="Trần Thị Hồng Nhung", slug="tran-thi-hong-nhung")
    first = Person.objects.create(full_name="Trần Thị Hồng Nhung", slug="trn-th-hng-nhung")
    second = Person.objects.create(full_name="Trần Thị Hồng Nhung", slug="trn-th-hng-nhung-2")
    unit = Unit.objects.create(
        name="Phòng Xây dựng lực lượng nòng cốt",
        slug="phong-xay-dng-lc-lng-nong-ct",
        parent=ministry,
        kind=Unit.Kind.DIVISION,
    )
    # slugify alone drops đ.
    campaign = Campaign.objects.create(
        name="Đợt thi đua đặc biệt", slug="ot-thi-ua-ac-biet", kind=Campaign.Kind.EMULATION
    )
    typed = Unit.objects.create(
        name="Cục Xây dựng phong trào", slug="cuc-xdpt", parent=ministry, kind="department"
    )
    migration.fold_codes(apps, None)
    for record in (folded, first, second, unit, campaign, typed):
        record.refresh_from_db()
    return folded, first, second, unit, campaign, typed


def test_the_migration_makes_lost_letters_codes_again_numbered_where_taken(lossy):
    folded, first, second, unit, campaign, typed = lossy
    assert folded.slug == "tran-thi-hong-nhung"
    assert (first.slug, second.slug) == ("tran-thi-hong-nhung-2", "tran-thi-hong-nhung-3")
    assert unit.slug == "phong-xay-dung-luc-luong-nong-cot"
    assert campaign.slug == "dot-thi-dua-dac-biet"
    assert typed.slug == "cuc-xdpt"


def test_the_migration_keeps_the_old_codes_and_writes_the_change_in_the_history(lossy):
    _folded, first, _second, unit, _campaign, typed = lossy
    assert RetiredCode.objects.record(Person, "trn-th-hng-nhung") == first
    assert RetiredCode.objects.record(Unit, "phong-xay-dng-lc-lng-nong-ct") == unit
    assert not RetiredCode.objects.filter(record_id=typed.pk, model="movement.unit").exists()
    latest = first.history.latest()
    assert latest.slug == "tran-thi-hong-nhung-2"
    assert latest.history_change_reason.startswith("migration: 0017")
    # A unit is found by its code too.
    assert "phong-xay-dung-luc-luong-nong-cot" in unit.search_text


def test_old_links_answer_with_a_permanent_redirect_to_the_new_code(client, lossy):
    _folded, first, _second, unit, campaign, _typed = lossy
    for old, record in [
        ("/people/trn-th-hng-nhung/", first),
        ("/units/phong-xay-dng-lc-lng-nong-ct/", unit),
        ("/campaigns/ot-thi-ua-ac-biet/", campaign),
    ]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == record.get_absolute_url()
        assert client.get(response["Location"]).status_code == 200
    kept = client.get("/people/trn-th-hng-nhung/?page=2")
    assert kept["Location"] == f"{first.get_absolute_url()}?page=2"


def test_a_code_nobody_had_or_whose_record_is_gone_is_not_found(client, lossy):
    _folded, first, *_ = lossy
    assert client.get("/people/khong-ai-co-ma-nay/").status_code == 404
    # A retired code of one kind of record does not lead to another kind.
    assert client.get("/units/trn-th-hng-nhung/").status_code == 404
    first.delete()
    assert client.get("/people/trn-th-hng-nhung/").status_code == 404


def test_a_record_that_now_has_a_retired_code_answers_for_it(client, lossy):
    newcomer = Person.objects.create(full_name="Trịnh Hằng", slug="trn-th-hng-nhung")
    response = client.get("/people/trn-th-hng-nhung/")
    assert response.status_code == 200
    assert response.context["person"] == newcomer


# -- The Party committee ----------------------------------------------------------------------


def test_the_migration_makes_the_central_police_party_committee_the_sectors_own(db):
    committee = Unit.objects.create(
        name="Đảng ủy Công an Trung ương",
        slug="dang-uy-cong-an-tw",
        kind=Unit.Kind.ORGANISATION,
        is_external=True,
        inference_note="Báo cáo chỉ viết “Đảng ủy Công an TW”.",
    )
    migration.party_committee(apps, None)
    migration.party_committee(apps, None)  # run twice, says it once
    committee.refresh_from_db()
    assert (committee.kind, committee.is_external) == (Unit.Kind.PARTY_COMMITTEE, False)
    assert committee.inference_note.count(migration.PARTY_NOTE) == 1
    assert committee.inference_note.startswith("Báo cáo chỉ viết")
