"""The spreadsheet cases: xlsx export of awards and import of award rows, each beside a bare
reference doing the same job with the least machinery.

- export: our export path against ``openpyxl`` in write-only mode writing the same rows and
  columns. Each run is a fresh child process (``benchmark --child …``) so that its peak memory
  (:func:`peak_memory_mb`) is the export's own and not what earlier cases left.
- import: the rows an export gives, turned into new awards (no key, a new decision number),
  imported as staff do, a preview then a confirm, against a bare ``bulk_create`` of the same rows.
  The confirmation imports the rows the preview read and kept, as the admin's does.
  Every run is rolled back, so each starts from the same table.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import openpyxl
import tablib
from django.conf import settings
from django.db import connection, transaction
from simple_history.utils import get_history_manager_for_model

from movement.audit import record_bulk
from movement.models import Award, Decision
from movement.spreadsheets.exports import write_awards_xlsx
from movement.spreadsheets.previews import confirm_upload, preview_upload
from movement.spreadsheets.reports import ImportReport
from movement.spreadsheets.resources import AwardResource

from .measure import QueryCounter, full_collections, measure_side_by_side
from .results import CaseResult

EXPORTERS = ("ours", "openpyxl")
IMPORT_DECISION_PREFIX = "QĐ-BENCH-"


def export_rows(last_pk: int):
    """The awards an export case writes: the first ones by id, up to ``last_pk``."""
    return Award.objects.filter(pk__lte=last_pk).order_by("pk")


def export_ours(last_pk: int, path: Path) -> None:
    """The admin's xlsx export of awards (movement.spreadsheets.exports)."""
    with path.open("wb") as file:
        write_awards_xlsx(export_rows(last_pk), file)


# The reference writes the same columns, related records by name, in one pass over the rows.
REFERENCE_COLUMNS = (
    "key",
    "year",
    "award_type__name",
    "award_type__award_class",
    "recipient_unit__name",
    "recipient_person__full_name",
    "group_count",
    "group_kind",
    "rank_at_award__name",
    "position_at_award",
    "conferring_unit__name",
    "presented_by__full_name",
    "on_behalf_of",
    "event__name",
    "decision_number",
    "decision_date",
    "campaign__name",
    "note",
    "source__title",
    "source_quote",
    "inference_note",
)


def export_openpyxl(last_pk: int, path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(REFERENCE_COLUMNS)
    rows = export_rows(last_pk).values_list(*REFERENCE_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        sheet.append([str(row[0]), *row[1:]])
    workbook.save(path)


def run_child(exporter: str, last_pk: int) -> dict[str, float | int]:
    """In the child process: export once, and say how long it took, its queries and peak memory."""
    export = {"ours": export_ours, "openpyxl": export_openpyxl}[exporter]
    counter = QueryCounter()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "export.xlsx"
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            export(last_pk, path)
        ms = (time.perf_counter() - started) * 1000
        size = path.stat().st_size
    return {"ms": ms, "queries": counter.count, "peak_mb": peak_memory_mb(), "bytes": size}


def peak_memory_mb() -> float:
    """The most memory this process has held, Django included, in MiB.

    Linux's ``getrusage`` carries the parent's peak over into a child it forks and executes, so
    a child of a benchmark that has just filled a million-row database would report that instead
    of its own; ``VmHWM`` is the peak of this process's own memory.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    # Elsewhere ru_maxrss is the best there is (kibibytes on Linux and the BSDs).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spawn(exporter: str, database: str, last_pk: int) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "django",
        "benchmark",
        "--child",
        exporter,
        "--child-database",
        database,
        "--child-last-pk",
        str(last_pk),
    ]
    # Only the project's own command runs here, with the interpreter running this one.
    finished = subprocess.run(  # noqa: S603
        command,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]},
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"export child {exporter} failed:\n{finished.stderr}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _spawned(database: str, last_pk: int, runs: int) -> dict[str, dict[str, float]]:
    """Each exporter's median time, its queries and its highest peak, runs taken in turn."""
    measured: dict[str, list[dict[str, float]]] = {exporter: [] for exporter in EXPORTERS}
    for exporter in EXPORTERS:
        _spawn(exporter, database, last_pk)  # warm-up: the database's pages into the OS cache
    for _ in range(runs):
        for exporter in EXPORTERS:
            measured[exporter].append(_spawn(exporter, database, last_pk))
    return {
        exporter: {
            "ms": statistics.median(m["ms"] for m in runs_of),
            "queries": runs_of[0]["queries"],
            "peak_mb": max(m["peak_mb"] for m in runs_of),
        }
        for exporter, runs_of in measured.items()
    }


def export_case(database: str, rows: int, runs: int) -> CaseResult:
    last_pk = _last_pk(rows)
    spawned = _spawned(database, last_pk, runs)
    ours, bare = spawned["ours"], spawned["openpyxl"]
    return CaseResult(
        name="export:xlsx",
        ms=ours["ms"],
        queries=int(ours["queries"]),
        peak_mb=ours["peak_mb"],
        baseline="openpyxl write-only",
        baseline_ms=bare["ms"],
        baseline_queries=int(bare["queries"]),
        baseline_peak_mb=bare["peak_mb"],
        note=f"{export_rows(last_pk).count():,} rows",
    )


def _last_pk(rows: int) -> int:
    pks = Award.objects.order_by("pk").values_list("pk", flat=True)
    return pks[min(rows, pks.count()) - 1] if rows > 0 and pks.exists() else 0


# -- Import -----------------------------------------------------------------------------------


def import_file(rows: int) -> bytes:
    """An xlsx of ``rows`` new awards: existing ones as exported, without key, renumbered."""
    exported = AwardResource().export(queryset=export_rows(_last_pk(rows)))
    key = exported.headers.index(AwardResource().fields["key"].column_name)
    number = exported.headers.index(AwardResource().fields["decision_number"].column_name)
    renumbered = tablib.Dataset(headers=exported.headers)
    for i, row in enumerate(exported):
        row = list(row)
        row[key] = ""
        row[number] = f"{IMPORT_DECISION_PREFIX}{i:07d}"
        renumbered.append(row)
    return renumbered.xlsx


def import_ours(data: bytes, steps: dict[str, list[float]] | None = None) -> None:
    """Preview, then confirm, as the admin's import does, each step in a call of its own as in
    the admin's two requests (movement.spreadsheets.previews.preview_upload and confirm_upload).
    Each step's time is added to ``steps``, to say where the import's time goes, and so is the
    time of the cycle collector's full collections during both, with their number."""
    with full_collections() as collections:
        started = time.perf_counter()
        upload = _check(preview_upload(AwardResource(), data)).upload
        previewed = time.perf_counter()
        _check(confirm_upload(AwardResource(), upload))
    if steps is not None:
        steps["preview"].append((previewed - started) * 1000)
        steps["confirm"].append((time.perf_counter() - previewed) * 1000)
        steps["collections"].append(collections.ms)
        steps["collected"].append(collections.count)


def _check(report: ImportReport) -> ImportReport:
    if not report.ok:
        problems = [*report.errors, *(str(p) for p in report.problems[:5])]
        raise RuntimeError(f"the benchmark's import file does not import cleanly: {problems}")
    return report


def bulk_create_same_rows(originals: list[Award]) -> Callable[[], None]:
    """The least a correct write of the import's rows does: its awards, each linked to the
    decision its row names, bulk-created, with the history row the app keeps of every record
    written (movement.audit). The numbers are new, so their decisions are created too, as the
    import creates them (DecisionQuerySet.link). Until 30/11/2026 the copies kept the
    originals' decisions: awards linked to a decision of another number, and none of the
    10,000 decisions the import must write. Until 02/12/2026 neither had its history row."""

    def action() -> None:
        copies = []
        decisions = []
        for i, award in enumerate(originals):
            copy = Award(
                **{
                    field.attname: getattr(award, field.attname)
                    for field in Award._meta.concrete_fields
                    if not field.primary_key
                }
            )
            copy.key = uuid.uuid4()
            copy.decision_number = f"{IMPORT_DECISION_PREFIX}{i:07d}"
            # The records the search text names, already read with the originals.
            copy.award_type = award.award_type
            copy.recipient_person = award.recipient_person
            copy.recipient_unit = award.recipient_unit
            copy.refresh_search_text()
            copies.append(copy)
            # Every row of the import's file names a new decision (import_file).
            copy.decision = Decision(
                number=copy.decision_number,
                date=award.decision_date,
                source_id=award.source_id,
                source_quote=award.source_quote,
            )
            decisions.append(copy.decision)
        Decision.objects.bulk_create(decisions, batch_size=1000)
        # bulk_create takes each copy's decision id from its decision, saved just now.
        Award.objects.bulk_create(copies, batch_size=1000)
        # As the import records them: copied by the database from the rows just written.
        record_bulk(decisions, update=False)
        record_bulk(copies, update=False)

    return action


def rolled_back(action: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        with transaction.atomic():
            action()
            transaction.set_rollback(True)

    return run


def vacuumed() -> None:
    """On PostgreSQL, the dead rows an import rolled back made reusable again, and their index
    entries removed, so that each run writes to the same table. Left in place, the rows of the
    runs before slowed the writes of the next: 5.4 s for the reference's first run, 8.5 s for
    its fourth, and ours from 21.6 s to 27.3 s (02/12/2026)."""
    if connection.vendor != "postgresql":
        return
    written = (Award, Decision)
    models = [*written, *(get_history_manager_for_model(model).model for model in written)]
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        # INDEX_CLEANUP ON: for a few dead rows PostgreSQL would leave their index entries, and
        # every run writes the same decision numbers, which the unique indexes then check.
        cursor.execute(f"VACUUM (INDEX_CLEANUP ON) {tables}")


def import_case(rows: int, runs: int) -> CaseResult:
    data = import_file(rows)
    originals = list(
        export_rows(_last_pk(rows)).select_related(
            "award_type", "recipient_person", "recipient_unit"
        )
    )
    steps: dict[str, list[float]] = {
        "preview": [],
        "confirm": [],
        "collections": [],
        "collected": [],
    }
    ours, bare = measure_side_by_side(
        rolled_back(lambda: import_ours(data, steps)),
        rolled_back(bulk_create_same_rows(originals)),
        runs,
        reset=vacuumed,
    )
    # The first run only counted queries (and warmed the caches): the timed runs' medians.
    preview, confirm, collections, collected = (
        statistics.median(times[1:]) for times in steps.values()
    )
    return CaseResult(
        name="import:xlsx",
        ms=ours.ms,
        queries=ours.queries,
        baseline="bare bulk_create of the awards and their decisions, with their history rows",
        baseline_ms=bare.ms,
        baseline_queries=bare.queries,
        note=(
            f"{len(originals):,} rows; ours: preview {preview:,.0f} ms, confirm {confirm:,.0f} ms"
            f", of which {collected:,.0f} full collections {collections:,.0f} ms"
        ),
    )
