import argparse
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from benchmarks import database, eligibility, spreadsheets, web
from benchmarks.results import CaseResult, SizeResult, table
from movement.models import Award

DEFAULT_SIZES = "10000,100000,1000000"
# DEBUG off and the stock admin mounted: the settings a run measures under, from its start.
SETTINGS_MODULE = "benchmarks.settings"


def sizes(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are whole numbers, e.g. 10000,100000") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("give at least one size, each at least 1")
    return values


class Command(BaseCommand):
    help = (
        "Measure the award admin, the public pages, the spreadsheet paths and eligibility on a "
        "throwaway database filled with synthetic data, at each size given, beside stock "
        "references: "
        "the median of --runs runs after a warm-up. The database named in the settings is "
        "never touched: SQLite gets a temporary file, PostgreSQL (DATABASE_URL) a database "
        "movement_bench_<pid> on the same server, dropped at the end. It runs under "
        f"{SETTINGS_MODULE}: the project's settings with DEBUG off, as on a server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sizes",
            type=sizes,
            default=sizes(DEFAULT_SIZES),
            help=f"awards in the table, one database per size (default {DEFAULT_SIZES})",
        )
        parser.add_argument("--runs", type=int, default=5, help="timed runs per case (default 5)")
        parser.add_argument("--json", type=Path, help="also write the results to this file")
        parser.add_argument(
            "--units", type=int, default=5000, help="units in the tree at every size (default 5000)"
        )
        parser.add_argument(
            "--awards-per-person",
            type=int,
            default=5,
            help="officers are the awards divided by this (default 5: 200,000 for 1,000,000)",
        )
        parser.add_argument("--seed", type=int, default=1, help="seed_demo's seed (default 1)")
        parser.add_argument(
            "--export-rows", type=int, default=100_000, help="awards exported (default 100,000)"
        )
        parser.add_argument(
            "--import-rows", type=int, default=10_000, help="award rows imported (default 10,000)"
        )
        parser.add_argument("--skip-export", action="store_true", help="leave the export out")
        parser.add_argument("--skip-import", action="store_true", help="leave the import out")
        parser.add_argument(
            "--only-eligibility",
            action="store_true",
            help="measure the eligibility cases alone (no admin, pages, export or import)",
        )
        parser.add_argument(
            "--only-import",
            action="store_true",
            help="measure the spreadsheet import alone (no eligibility, admin, pages or export)",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the filled database and print its name, to measure it again with --reuse",
        )
        parser.add_argument(
            "--reuse",
            metavar="NAME",
            help="measure a database an earlier run kept (--keep) instead of filling a new one; "
            "--sizes gives the one size it was filled at",
        )
        parser.add_argument(
            "--skip-eligibility",
            action="store_true",
            help="leave the eligibility cases out (the sector's reference loop takes minutes "
            "at ten million awards)",
        )
        # A child process the export case starts for each run, to measure its peak memory alone.
        parser.add_argument("--child", choices=spreadsheets.EXPORTERS, help=argparse.SUPPRESS)
        parser.add_argument("--child-database", help=argparse.SUPPRESS)
        parser.add_argument("--child-last-pk", type=int, help=argparse.SUPPRESS)

    def handle(self, *args: str, **options: object) -> None:
        if settings.SETTINGS_MODULE != SETTINGS_MODULE:
            raise CommandError(
                f"Run the benchmark under its own settings: manage.py benchmark --settings "
                f"{SETTINGS_MODULE} … (or make benchmark ARGS='…')."
            )
        if options["child"]:
            database.use_database(options["child_database"])
            measured = spreadsheets.run_child(options["child"], options["child_last_pk"])
            self.stdout.write(json.dumps(measured))
            return
        # A stopped run (Ctrl-C, kill) still drops its throwaway database on the way out.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("benchmark stopped"))
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1 (the issue asks for 5 or more).")
        if options["units"] < 1 or options["awards_per_person"] < 1:
            raise CommandError("--units and --awards-per-person must be at least 1.")
        if options["reuse"] and len(options["sizes"]) != 1:
            raise CommandError("--reuse measures one database: give its one size in --sizes.")
        results: list[SizeResult] = []
        for awards in options["sizes"]:
            results.append(self.measure_size(awards, options))
            self.stdout.write("\n" + table(results[-1]) + "\n")
            if options["json"]:
                # Written after every size, so a long run that stops still leaves what it found.
                options["json"].write_text(
                    json.dumps([result.as_json() for result in results], indent=2) + "\n"
                )

    def log(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stderr.write(message)

    def measure_size(self, awards: int, options: dict) -> SizeResult:
        self.verbosity = options["verbosity"]
        runs = options["runs"]
        if options["reuse"]:
            opened = database.kept_database(options["reuse"])
        else:
            opened = database.throwaway_database(keep=options["keep"])
        with opened as name:
            if options["reuse"]:
                self.check_reused(name, awards)
            else:
                self.fill(name, awards, options)
            result = SizeResult(awards=awards, database=connection.vendor)
            if options["only_import"]:
                self.import_case(result, options)
                return result
            if not options["skip_eligibility"]:
                self.log("  eligibility…")
                result.cases += eligibility.measure_eligibility(runs)
            if options["only_eligibility"]:
                return result
            result.cases += web.measure_changelists(runs)
            result.cases += web.measure_pages(runs)
            if not options["skip_export"]:
                self.log("  exporting…")
                rows = options["export_rows"]
                self.spreadsheet_case(result, lambda: spreadsheets.export_case(name, rows, runs))
            if not options["skip_import"]:
                self.import_case(result, options)
        return result

    def import_case(self, result: SizeResult, options: dict) -> None:
        self.log("  importing…")
        rows, runs = options["import_rows"], options["runs"]
        self.spreadsheet_case(result, lambda: spreadsheets.import_case(rows, runs))

    def fill(self, name: str, awards: int, options: dict) -> None:
        self.log(f"{awards:,} awards on {connection.vendor} ({name}): filling…")
        started = time.perf_counter()
        database.fill(
            awards,
            units=options["units"],
            people=max(1, awards // options["awards_per_person"]),
            seed=options["seed"],
            log=self.log if self.verbosity > 1 else None,
        )
        self.log(f"  filled in {time.perf_counter() - started:.0f} s; measuring…")
        if options["keep"]:
            self.log(f"  kept: measure it again with --reuse {name} --sizes {awards}")

    def check_reused(self, name: str, awards: int) -> None:
        held = Award.objects.count()
        if held != awards:
            raise CommandError(f"{name} holds {held:,} awards, not the {awards:,} of --sizes.")
        self.log(f"{awards:,} awards on {connection.vendor} ({name}), kept; measuring…")

    def spreadsheet_case(self, result: SizeResult, case: Callable[[], CaseResult]) -> None:
        # A spreadsheet path that fails is reported and left out, rather than losing the
        # other cases of a run that may have taken an hour to fill its database.
        try:
            result.cases.append(case())
        except Exception as error:
            self.stderr.write(self.style.ERROR(f"  failed, left out of the results: {error}"))
