import json
import signal
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from benchmarks import database, load

SETTINGS_MODULE = "benchmarks.settings"


class Command(BaseCommand):
    help = (
        "Public page latency while anonymous visitors download exports at once: fills a "
        "throwaway database (as `benchmark` does) with --awards synthetic awards, serves it "
        "with gunicorn, reads the public pages on the idle server, then again while --exports "
        "downloads of --url run in parallel. Prints JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--awards", type=int, default=20_000, help="awards (default 20,000)")
        parser.add_argument("--units", type=int, default=5000, help="units (default 5000)")
        parser.add_argument("--exports", type=int, default=20, help="parallel downloads (20)")
        parser.add_argument(
            "--url", default="/awards/export.xlsx", help="what each download asks for"
        )
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
        parser.add_argument(
            "--threads", type=int, default=1, help="threads per worker (1: sync workers)"
        )
        parser.add_argument(
            "--addresses",
            type=int,
            default=1,
            help="visitors' addresses the downloads come from, in turn (default 1)",
        )
        parser.add_argument(
            "--idle-rounds", type=int, default=5, help="rounds of the pages on the idle server"
        )
        parser.add_argument("--seed", type=int, default=1, help="seed_demo's seed (default 1)")
        parser.add_argument("--json", type=Path, help="also write the result to this file")

    def handle(self, *args: str, **options: object) -> None:
        if settings.SETTINGS_MODULE != SETTINGS_MODULE:
            raise CommandError(
                f"Run it under the benchmark's settings: manage.py load_exports --settings "
                f"{SETTINGS_MODULE} …"
            )
        if min(options[name] for name in ("exports", "workers", "threads", "addresses")) < 1:
            raise CommandError("--exports, --workers, --threads, --addresses: at least 1.")
        # A stopped run still drops its throwaway database and stops its server on the way out.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("load_exports stopped"))
        awards = options["awards"]
        with database.throwaway_database() as name:
            self.stderr.write(f"{awards:,} awards on {connection.vendor}: filling…")
            started = time.perf_counter()
            database.fill(
                awards, units=options["units"], people=max(1, awards // 5), seed=options["seed"]
            )
            self.stderr.write(f"  filled in {time.perf_counter() - started:.0f} s; loading…")
            result = {
                "awards": awards,
                "database": connection.vendor,
                **load.run(
                    name,
                    exports=options["exports"],
                    export_url=options["url"],
                    workers=options["workers"],
                    threads=options["threads"],
                    addresses=options["addresses"],
                    idle_rounds=options["idle_rounds"],
                ),
            }
        text = json.dumps(result, indent=2)
        self.stdout.write(text)
        if options["json"]:
            options["json"].write_text(text + "\n")
