"""A throwaway database for one benchmark size, filled by ``seed_demo``'s generator.

The benchmark never reads or writes the database the settings name: it makes a new one beside it
the way Django's test runner does (``creation.create_test_db``), migrates it, and drops it at the
end. On SQLite that is a file in a temporary directory; on PostgreSQL, a database
``movement_bench_<pid>`` on the server ``DATABASE_URL`` names.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

from benchmarks import synthetic
from movement.models import compact_tallies


@contextmanager
def throwaway_database(*, keep: bool = False) -> Iterator[str]:
    """Point the default connection at a new, migrated, empty database; drop it afterwards,
    unless ``keep`` (then :func:`kept_database` measures it again without filling it).

    Yields the new database's name (a file path on SQLite), which a child process can connect to.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    original = connection.settings_dict["NAME"]
    original_test = connection.settings_dict.get("TEST", {})
    directory = None
    if connection.vendor == "sqlite":
        directory = tempfile.mkdtemp(prefix="movement-bench-")
        name = os.path.join(directory, "benchmark.sqlite3")
    else:
        name = f"movement_bench_{os.getpid()}"
    connection.settings_dict["TEST"] = {**original_test, "NAME": name, "MIGRATE": True}
    try:
        created = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield created
        finally:
            if keep:
                connection.close()
                connection.settings_dict["NAME"] = original
            else:
                connection.creation.destroy_test_db(original, verbosity=0)
    finally:
        connection.settings_dict["TEST"] = original_test
        if directory and not keep:
            shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def kept_database(name: str) -> Iterator[str]:
    """Point the default connection at ``name``, a database an earlier run filled and kept."""
    connection = connections[DEFAULT_DB_ALIAS]
    original = connection.settings_dict["NAME"]
    use_database(name)
    try:
        yield name
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def use_database(name: str) -> None:
    """In a child process: read the throwaway database the parent made, named ``name``."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    connection.settings_dict["NAME"] = name


def fill(
    awards: int, *, units: int, people: int, seed: int, log: Callable[[str], None] | None = None
) -> synthetic.Report:
    """Fill the empty database with synthetic data, then let the planner know the tables.

    PostgreSQL's autovacuum would analyse and vacuum the new tables within a minute or so of a
    bulk load; doing it here, at once, measures the state a live server is in rather than the
    minute after a load. SQLite is left as Django leaves it, without ANALYZE statistics.
    """
    report = synthetic.generate(
        synthetic.Sizes(units=units, people=people, awards=awards), seed=seed, log=log
    )
    # As the worker does after an import: the load's statements each added their tally rows.
    compact_tallies()
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        if log:
            log(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")
    return report
