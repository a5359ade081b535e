import argparse
import json
import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from benchmarks import concurrency, database

SETTINGS_MODULE = "benchmarks.settings"


class Command(BaseCommand):
    help = (
        "Load a throwaway database as an office would, all at once: WRITERS threads, each with "
        "its own connection, sign in, save an award in the admin and import award rows, ROUNDS "
        "times, and queue an Excel export that a task worker (a process of its own) writes "
        "meanwhile. Prints the requests, the seconds and every error ('database is locked', "
        "answers 500). The database named in the settings is never touched: SQLite gets a "
        "temporary file, PostgreSQL (DATABASE_URL) a database of its own, dropped at the end. "
        f"Runs under {SETTINGS_MODULE}, as a server's settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--writers", type=int, default=8, help="staff at once (default 8)")
        parser.add_argument("--rounds", type=int, default=5, help="rounds each (default 5)")
        parser.add_argument(
            "--awards", type=int, default=20_000, help="awards in the table (default 20,000)"
        )
        parser.add_argument(
            "--import-rows", type=int, default=50, help="rows of each import (default 50)"
        )
        parser.add_argument("--json", type=Path, help="also write the result to this file")
        # The worker's process, started by the run.
        parser.add_argument("--worker-for", help=argparse.SUPPRESS)

    def handle(self, *args: str, **options: object) -> None:
        if settings.SETTINGS_MODULE != SETTINGS_MODULE:
            raise CommandError(
                f"Run it under the benchmark's settings: manage.py concurrency --settings "
                f"{SETTINGS_MODULE} …"
            )
        if options["worker_for"]:
            concurrency.run_worker(options["worker_for"])
            return
        if min(options["writers"], options["rounds"], options["import_rows"]) < 1:
            raise CommandError("--writers, --rounds and --import-rows must be at least 1.")
        awards = max(options["awards"], options["writers"] * (1 + options["import_rows"]))
        # A stopped run (Ctrl-C, kill) still drops its throwaway database on the way out.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("concurrency load stopped"))
        with database.throwaway_database() as name:
            self.stderr.write(f"{awards:,} awards on {connection.vendor} ({name}): filling…")
            database.fill(awards, units=200, people=max(1, awards // 5), seed=1)
            result = concurrency.run(
                name,
                writers=options["writers"],
                rounds=options["rounds"],
                awards=awards,
                import_rows=options["import_rows"],
            )
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(result.summary())
        if options["json"]:
            options["json"].write_text(json.dumps(result.as_json(), indent=2) + "\n")
