"""`make run`'s local administrator: made once, with a password printed once and kept aside."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from movement.management.commands import ensure_local_admin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def credentials_file(tmp_path, monkeypatch):
    path = tmp_path / ".local-admin-credentials"
    monkeypatch.setattr(ensure_local_admin, "CREDENTIALS_FILE", path)
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ensure_local_admin", *args, stdout=out)
    return out.getvalue()


def test_a_new_admin_gets_the_printed_password(credentials_file):
    printed = run("--site", "http://127.0.0.1:8012")
    password = printed.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert credentials_file.read_text() == f"username: admin\npassword: {password}\n"
    assert oct(credentials_file.stat().st_mode & 0o777) == "0o600"
    assert "http://127.0.0.1:8012/admin/" in printed


def test_an_existing_superuser_is_left_alone(credentials_file):
    get_user_model().objects.create_superuser("chief", "", "kept-secret-1")
    printed = run()
    assert "Đã có tài khoản quản trị" in printed
    assert get_user_model().objects.count() == 1
    assert not credentials_file.exists()
