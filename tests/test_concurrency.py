"""The embedded default holds concurrent use: staff signing in, saving awards and importing
rows all at once, while the task worker writes their exports, meet no "database is locked" and
no answer 500.

The load (benchmarks/concurrency.py, `manage.py concurrency`) runs in a process of its own, on a
throwaway database it makes and drops: a SQLite file, and a PostgreSQL database too when the
suite runs on PostgreSQL. Its numbers are printed (pytest -s shows them); timings belong to the
command, not to these assertions.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

WRITERS = 6


def office_load(tmp_path, database_url: str | None) -> dict:
    """Run the load with WRITERS writers on a throwaway database of the server named by
    ``database_url`` (SQLite without one); return what it found."""
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    found = tmp_path / "load.json"
    finished = subprocess.run(  # noqa: S603 (this interpreter, this manage.py)
        [
            sys.executable,
            "manage.py",
            "concurrency",
            "--settings",
            "benchmarks.settings",
            f"--writers={WRITERS}",
            "--rounds=2",
            "--awards=6000",
            "--import-rows=20",
            f"--json={found}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    print(finished.stdout)
    return json.loads(found.read_text())


def assert_held(result: dict) -> None:
    assert result["errors"] == []
    assert (result["locked"], result["server_errors"]) == (0, 0)
    # Every writer's export was written by the worker, which stopped cleanly when told.
    assert result["exports"]["done"] == WRITERS
    assert result["worker_exit"] == 0
    # Each writer signed in, opened and saved an award, previewed and confirmed an import in
    # each round, and queued one export.
    assert result["requests"] == WRITERS * (2 * 5 + 1)


@pytest.mark.own_sqlite
def test_a_sqlite_file_holds_staff_and_the_worker_at_once(tmp_path):
    result = office_load(tmp_path, None)
    assert result["database"] == "sqlite"
    # As settings.DATABASES configures every connection: the write-ahead log, its safe
    # synchronous setting, and a busy timeout of 20 s.
    assert result["pragmas"] == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 20000}
    assert_held(result)


def test_postgresql_holds_staff_and_the_worker_at_once(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the suite runs on SQLite; with DATABASE_URL=postgres://… PostgreSQL is loaded")
    result = office_load(tmp_path, url)
    assert result["database"] == "postgresql"
    assert_held(result)
