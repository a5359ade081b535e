import random

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks import synthetic


class Command(BaseCommand):
    help = (
        "Fill an empty database with plausible synthetic data (units, people with their service "
        "records, awards along their careers, campaigns, work plans) for demos and benchmarks, "
        "using the law's award types (load_law is run first if the catalogue is missing). "
        "Every row it makes points at the source "
        f"“{synthetic.SOURCE_SLUG}” and every slug starts with “{synthetic.SLUG_PREFIX}”. "
        "Refuses a database holding the report fixtures unless --force, and one already "
        "holding synthetic data always; the whole run is one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, default=5000, help="units in the tree")
        parser.add_argument("--people", type=int, default=200_000, help="officers")
        parser.add_argument("--awards", type=int, default=1_000_000, help="awards")
        parser.add_argument(
            "--seed", type=int, help="random seed; the same seed gives the same data (default: any)"
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per bulk insert")
        parser.add_argument(
            "--force",
            action="store_true",
            help="write even though the database holds the report fixtures",
        )

    def handle(
        self,
        *args: str,
        units: int,
        people: int,
        awards: int,
        seed: int | None,
        batch_size: int,
        force: bool,
        **options: object,
    ) -> None:
        if min(units, people, awards) < 0 or batch_size < 1:
            raise CommandError("Sizes cannot be negative and --batch-size must be at least 1.")
        if units < 1 and (people or awards):
            raise CommandError("People and awards need at least one unit (--units 1 or more).")
        if reason := synthetic.refusal(force=force):
            raise CommandError(reason)
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        verbose = options["verbosity"] > 1
        self.stdout.write(
            f"seed_demo --seed {seed}: {units} units, {people} people, {awards} awards"
        )
        try:
            report = synthetic.generate(
                synthetic.Sizes(units=units, people=people, awards=awards),
                seed=seed,
                batch_size=batch_size,
                log=self.stdout.write if verbose else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        width = max(map(len, report.rows), default=0)
        for label, count in report.rows.items():
            self.stdout.write(f"  {label:<{width}}  {count:>9}")
        rate = awards / report.seconds if report.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {report.seconds:.1f} s ({rate:,.0f} awards/s overall), seed {seed}."
            )
        )
