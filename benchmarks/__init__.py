"""Tools beside the app, never imported by it: synthetic data in bulk (``seed_demo``) and the
``benchmark`` command, which measures how fast the admin, the pages and the spreadsheets stay as
the awards table grows.

- :mod:`.synthetic` generates plausible synthetic data in bulk, for ``seed_demo`` and the benchmark;
- :mod:`.database` makes a throwaway database and fills it with that generator;
- :mod:`.baseline` is a stock ModelAdmin for awards, on an admin site of its own, to compare with;
- :mod:`.measure` times a case (median of several runs after a warm-up) and counts its queries;
- :mod:`.web` holds the admin changelist and public page cases, requested through Django's test
  client as a browser would;
- :mod:`.spreadsheets` holds the xlsx export and import cases and their bare references;
- :mod:`.results` holds what a run found, as a table and as JSON.

Timings belong here, never in tests: tests pin query counts, which do not depend on the machine.
"""
