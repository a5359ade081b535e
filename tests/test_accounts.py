"""Signing in and staying signed in: lockouts that say what happened (password spraying
included), temporary passwords set by an administrator, sessions that end, and the pages for a
bad request, a refusal and an expired form, in Vietnamese."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from movement.accounts.passwords import MUST_CHANGE
from movement.accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from movement.models import FailedPassword, TemporaryPassword
from tests.factories import member

OFFICE = "10.0.0.7"
HOME = "10.0.0.8"


def log_in(client, username: str, password: str, address: str = OFFICE, next_url: str = ""):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": next_url or reverse("admin:index")},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def colleagues(db) -> list[User]:
    """Six officers behind one office address, each with a password of their own."""
    return [
        User.objects.create_user(f"can-bo-{n}", password=f"mat-khau-rieng-{n}", is_staff=True)
        for n in range(6)
    ]


# -- Lockouts -------------------------------------------------------------------------------------


def test_repeated_failed_logins_lock_that_name_for_a_while(client, colleagues):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "can-bo-0", "sai").status_code == 200
    assert log_in(client, "can-bo-0", "sai").status_code == 429
    # Even the right password is refused now, and the session stays logged out.
    assert log_in(client, "can-bo-0", "mat-khau-rieng-0").status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302
    # A colleague at the same address logs in as usual.
    assert log_in(client, "can-bo-1", "mat-khau-rieng-1").status_code == 302


def test_a_successful_login_forgives_earlier_mistakes(client, colleagues):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "can-bo-0", "sai")
    assert log_in(client, "can-bo-0", "mat-khau-rieng-0").status_code == 302
    client.logout()
    assert log_in(client, "can-bo-0", "sai").status_code == 200


def test_the_lockout_page_says_in_vietnamese_for_how_long_and_whom_to_ask(client, colleagues):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(client, "can-bo-0", "sai")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Account locked" not in page
    assert "Tạm khoá đăng nhập" in page
    assert "trong 15 phút" in page
    assert "quản trị viên của hệ thống" in page
    assert "Các tài khoản khác không bị ảnh hưởng" in page


def test_colleagues_mistyping_their_own_passwords_lock_nobody_else(client, colleagues):
    # Every officer of the office but one gets their own password wrong, each one differently,
    # up to one try short of their own limit.
    for n in range(5):
        for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            assert log_in(client, f"can-bo-{n}", f"mat-khau-rieng-{n}{attempt}").status_code == 200
    assert log_in(client, "can-bo-5", "mat-khau-rieng-5").status_code == 302


def test_one_password_sprayed_over_many_names_locks_the_address(client, colleagues):
    names = [f"can-bo-{n}" for n in range(settings.AXES_FAILURE_LIMIT)]
    for name in names[:-1]:
        assert log_in(client, name, "Matkhau@2026").status_code == 200
    response = log_in(client, names[-1], "Matkhau@2026")
    assert response.status_code == 429
    assert "cho mọi tài khoản" in response.content.decode()
    # The whole address is locked, whatever the name and the password...
    assert log_in(client, "can-bo-5", "mat-khau-rieng-5").status_code == 429
    # ...and no other address is.
    assert log_in(Client(), "can-bo-5", "mat-khau-rieng-5", address=HOME).status_code == 302


def test_names_that_do_not_exist_count_as_sprayed_too(client, db):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, f"khong-co-{n}", "123456a@").status_code == 200
    assert log_in(client, "khong-co-cuoi", "123456a@").status_code == 429


def test_failed_passwords_are_kept_only_as_digests_and_only_for_the_cool_off(client, colleagues):
    log_in(client, "can-bo-0", "Matkhau@2026")
    [failure] = FailedPassword.objects.all()
    assert "Matkhau@2026" not in failure.password_digest
    failure.attempted_at = timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(1)
    failure.save()
    log_in(client, "can-bo-1", "Matkhau@2026")
    assert list(FailedPassword.objects.values_list("username", flat=True)) == ["can-bo-1"]


def test_only_recent_failures_count_as_spraying(db):
    for n in range(settings.AXES_FAILURE_LIMIT):
        FailedPassword.objects.record(OFFICE, f"can-bo-{n}", "Matkhau@2026")
    assert FailedPassword.objects.spraying_from(OFFICE)
    assert not FailedPassword.objects.spraying_from(HOME)
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(minutes=1)
    FailedPassword.objects.update(attempted_at=past)
    assert not FailedPassword.objects.spraying_from(OFFICE)


def test_a_spray_older_than_the_cool_off_locks_nothing(client, colleagues):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, f"can-bo-{n}", "Matkhau@2026")
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(minutes=1)
    FailedPassword.objects.update(attempted_at=past)
    AccessAttempt.objects.update(attempt_time=past)
    assert log_in(client, "can-bo-4", "Matkhau@2026").status_code == 200


# -- Temporary passwords --------------------------------------------------------------------------


@pytest.fixture
def forgetful(db) -> User:
    return User.objects.create_user("hay-quen", password="mat-khau-cu-da-quen", is_staff=True)


def give_temporary_password(admin_client, user: User) -> str:
    """The administrator's two steps: the action asks, the confirmation shows the password."""
    url = reverse("admin:auth_user_changelist")
    chosen = {"action": "give_temporary_password", "_selected_action": [user.pk]}
    asked = admin_client.post(url, chosen)
    assert asked.status_code == 200
    assert "Đặt mật khẩu tạm" in asked.content.decode()
    user.refresh_from_db()
    assert user.check_password("mat-khau-cu-da-quen")
    shown = admin_client.post(url, {**chosen, "post": "yes"})
    assert "no-cache" in shown.headers["Cache-Control"]
    [password] = shown.context["passwords"]
    return password[1]


def test_an_administrator_gives_a_temporary_password_that_works_once(
    admin_client, admin_user, forgetful
):
    password = give_temporary_password(admin_client, forgetful)
    assert len(password) == 14
    temporary = TemporaryPassword.objects.get(user=forgetful)
    assert temporary.set_by == admin_user
    assert LogEntry.objects.filter(object_id=str(forgetful.pk)).exists()
    client = Client()
    assert log_in(client, "hay-quen", "mat-khau-cu-da-quen").status_code == 200
    assert log_in(client, "hay-quen", password).status_code == 302


def test_the_temporary_password_lifts_the_users_lockout(admin_client, forgetful):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "hay-quen", "sai")
    password = give_temporary_password(admin_client, forgetful)
    assert log_in(client, "hay-quen", password).status_code == 302


def test_a_temporary_password_leads_only_to_the_password_change(admin_client, forgetful):
    password = give_temporary_password(admin_client, forgetful)
    client = Client()
    log_in(client, "hay-quen", password)
    change = reverse("admin:password_change")
    for url in [reverse("admin:index"), reverse("admin:movement_award_changelist"), "/"]:
        response = client.get(url)
        assert (response.status_code, response.url) == (302, change), url
    page = client.get(change)
    assert page.status_code == 200
    assert "mật khẩu tạm" in page.content.decode()
    # The temporary password itself is refused as the new one.
    again = client.post(
        change, {"old_password": password, "new_password1": password, "new_password2": password}
    )
    assert again.status_code == 200
    assert "không phải mật khẩu tạm" in again.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    chosen = "Mot-mat-khau-cua-rieng-toi"
    changed = client.post(
        change, {"old_password": password, "new_password1": chosen, "new_password2": chosen}
    )
    assert changed.status_code == 302
    # Changed: the session goes on, and every page opens again.
    assert client.get(reverse("admin:password_change_done")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    assert not TemporaryPassword.objects.filter(user=forgetful).exists()
    assert MUST_CHANGE not in client.session


def test_a_temporary_password_must_be_changed_at_every_sign_in_until_it_is(admin_client, forgetful):
    password = give_temporary_password(admin_client, forgetful)
    first = Client()
    log_in(first, "hay-quen", password)
    second = Client()
    log_in(second, "hay-quen", password, address=HOME)
    assert second.get(reverse("admin:index")).url == reverse("admin:password_change")


def test_a_password_set_any_other_way_ends_the_temporary_one(admin_client, forgetful):
    give_temporary_password(admin_client, forgetful)
    forgetful.set_password("Dat-lai-bang-lenh-changepassword")
    forgetful.save()
    assert not TemporaryPassword.objects.filter(user=forgetful).exists()


def test_users_change_their_own_password_from_the_admin_header(db):
    officer = member("officer")
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:password_change")}"' in page
    assert "Đổi mật khẩu" in page


def test_only_who_may_change_users_may_give_temporary_passwords(forgetful):
    client = Client()
    client.force_login(member("officer"))
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "give_temporary_password", "_selected_action": [forgetful.pk], "post": "yes"},
    )
    assert response.status_code == 403
    forgetful.refresh_from_db()
    assert forgetful.check_password("mat-khau-cu-da-quen")


# -- Sessions -------------------------------------------------------------------------------------


def age_session(client, **minutes_ago: int) -> None:
    """Move the session's clocks back: ``signed_in`` and ``last_seen`` minutes ago."""
    session = client.session
    now = timezone.now().timestamp()
    keys = {"signed_in": SIGNED_IN_AT, "last_seen": LAST_SEEN_AT}
    for name, minutes in minutes_ago.items():
        session[keys[name]] = now - minutes * 60
    session.save()


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_a_session_ends_after_the_idle_minutes(signed_in, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    age_session(signed_in, signed_in=29, last_seen=29)
    assert signed_in.get(reverse("admin:index")).status_code == 200
    age_session(signed_in, last_seen=31)
    response = signed_in.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert SESSION_KEY not in signed_in.session
    page = signed_in.get(response.url).content.decode()
    assert "sau 30 phút không thao tác" in page


def test_working_keeps_the_session_alive(signed_in):
    age_session(signed_in, signed_in=100, last_seen=20)
    assert signed_in.get(reverse("admin:index")).status_code == 200
    age_session(signed_in, signed_in=120, last_seen=10)
    assert signed_in.get(reverse("admin:index")).status_code == 200
    assert timezone.now().timestamp() - signed_in.session[LAST_SEEN_AT] < 60


def test_a_session_ends_after_a_working_day_even_when_busy(signed_in, settings):
    assert settings.SESSION_MAX_HOURS == 10
    age_session(signed_in, signed_in=10 * 60 - 1, last_seen=1)
    assert signed_in.get(reverse("admin:index")).status_code == 200
    age_session(signed_in, signed_in=10 * 60 + 1, last_seen=1)
    response = signed_in.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "tối đa 10 giờ" in signed_in.get(response.url).content.decode()


def test_the_limits_are_settings(signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 5
    age_session(signed_in, last_seen=6)
    assert signed_in.get(reverse("admin:index")).status_code == 302


def test_a_session_from_before_the_limits_starts_counting_now(signed_in):
    session = signed_in.session
    del session[SIGNED_IN_AT]
    del session[LAST_SEEN_AT]
    session.save()
    assert signed_in.get(reverse("admin:index")).status_code == 200
    assert SIGNED_IN_AT in signed_in.session


def test_the_session_cookie_lasts_a_working_day_at_most():
    assert settings.SESSION_COOKIE_AGE == 10 * 3600


# -- Login redirects ------------------------------------------------------------------------------


def test_a_login_with_a_next_to_another_site_lands_on_the_admin(client, colleagues):
    response = log_in(client, "can-bo-0", "mat-khau-rieng-0", next_url="https://ke-gian.example/")
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


# -- Error pages ----------------------------------------------------------------------------------


def test_a_bad_request_answers_in_vietnamese(client, db):
    response = client.get("/", HTTP_HOST="ke-gian.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bad Request" not in page
    assert "Không hiểu được yêu cầu" in page


def test_a_refusal_answers_in_vietnamese(db, department, division):
    editor = member("unit editor", unit=division)
    client = Client()
    client.force_login(editor)
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "403 Forbidden" not in page
    assert "Bạn không có quyền làm việc này" in page


def test_an_expired_form_is_explained_in_vietnamese(colleagues):
    client = Client(enforce_csrf_checks=True)
    response = log_in(client, "can-bo-0", "mat-khau-rieng-0")
    assert response.status_code == 403
    page = response.content.decode()
    assert "CSRF verification failed" not in page
    assert "Biểu mẫu đã hết hạn" in page
    assert "tải lại trang" in page
    assert "không giữ được" in page
    # Here the browser sent no cookie at all, which the page names.
    assert "cho phép cookie" in page
    # The page hands out a fresh token, so the form works again after reloading.
    assert "csrftoken" in response.cookies


# -- Permissions named in the reader's language -----------------------------------------------


@pytest.mark.parametrize(
    "page", ["admin:auth_group_add", "admin:auth_user_change"], ids=["group", "user"]
)
def test_permission_checklists_name_each_permission_in_vietnamese(admin_client, admin_user, page):
    """Django stores "Can add award"; the checklists say it in Vietnamese, history models too."""
    args = [admin_user.pk] if page.endswith("change") else []
    html = admin_client.get(reverse(page, args=args)).content.decode()
    assert "Thi đua, khen thưởng | khen thưởng | Có thể thêm khen thưởng" in html
    assert "| lịch sử khen thưởng | Có thể xem lịch sử khen thưởng" in html
    assert "| Được sửa bản ghi của mọi đơn vị" in html
    assert "Can add" not in html and "historical" not in html
