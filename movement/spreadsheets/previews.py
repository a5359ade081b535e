"""The admin's two steps: :func:`preview_upload`, which keeps the rows it read, and
:func:`confirm_upload`, which imports those rows (or :func:`cancel_upload`).

The rows a preview read wait in the database (movement.models.PendingImport), which every app
server shares, as JSON: a Python or Django upgrade cannot make them unreadable and a database
row can never run code. The confirmation imports the rows the preview showed, without reading
the file again.
"""

import datetime
import logging
from dataclasses import astuple, fields
from typing import Any
from zoneinfo import ZoneInfo

import tablib
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from movement.models import PendingImport
from movement.models.versions import VERSIONS_PER_QUERY, Versioned, saved_by
from movement.spreadsheets.files import Sheet, SpreadsheetError
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.reports import RECORDS_BETWEEN_CELLS, ImportReport, Problem, keys_of
from movement.spreadsheets.tables import SheetPart

logger = logging.getLogger(__name__)


class UploadUnavailable(SpreadsheetError):
    """A preview that cannot be confirmed or cancelled; ``pending`` is it, when it exists."""

    def __init__(self, message: str, pending: PendingImport | None = None) -> None:
        super().__init__(message)
        self.pending = pending


def sheet_to_json(sheet: Sheet) -> dict[str, Any]:
    """``sheet`` as JSON: each field of the dataclass by name, each value tagged with its type
    where JSON has none of its own, so that :func:`sheet_from_json` gives back the same sheet."""
    return {item.name: _to_json(getattr(sheet, item.name)) for item in fields(Sheet)}


def sheet_from_json(data: dict[str, Any]) -> Sheet:
    return Sheet(**{name: _from_json(value) for name, value in data.items()})


def _to_json(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is bool or kind is int:
        return value
    if kind is str:
        # PostgreSQL's jsonb holds no NUL character.
        return {"nul": value.split("\x00")} if "\x00" in value else value
    if kind is float:
        # Tagged, since jsonb keeps a number as a decimal: 1e20 would come back an int, -0.0 as 0.
        return {"float": repr(value)}
    if kind is datetime.datetime or kind is datetime.time:
        tag = kind.__name__
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        if zone is None and not value.fold:
            return {tag: value.isoformat()}
        # An offset alone would lose the zone (and a time's offset is unknown without it);
        # ISO 8601 has no fold (which of a repeated hour).
        stamp = value.replace(tzinfo=None) if zone else value
        return {tag: [stamp.replace(fold=0).isoformat(), zone, value.fold]}
    if kind is datetime.date:
        return {"date": value.isoformat()}
    if kind is datetime.timedelta:
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    if kind is list:
        return [_to_json(item) for item in value]
    if kind is tuple:
        return {"tuple": [_to_json(item) for item in value]}
    if kind is dict:
        return {"dict": [[_to_json(key), _to_json(item)] for key, item in value.items()]}
    if kind is SheetPart:
        return {"part": _to_json(list(astuple(value)))}
    if kind is tablib.Dataset:
        return {
            "dataset": {
                "headers": _to_json(value.headers),
                "rows": [[_to_json(cell) for cell in row] for row in value],
                "row_numbers": _to_json(getattr(value, "row_numbers", None)),
                "row_sheets": _to_json(getattr(value, "row_sheets", None)),
                "title": _to_json(value.title),
            }
        }
    raise TypeError(f"a {kind.__name__} cannot be kept between preview and confirmation")


def _from_json(value: Any) -> Any:
    if type(value) is list:
        return [_from_json(item) for item in value]
    if type(value) is not dict:
        return value
    ((tag, kept),) = value.items()
    if tag == "nul":
        return "\x00".join(kept)
    if tag == "float":
        return float(kept)
    if tag in ("datetime", "time"):
        kind = getattr(datetime, tag)
        if type(kept) is list:
            stamp, zone, fold = kept
            moment = kind.fromisoformat(stamp).replace(fold=fold)
            return moment.replace(tzinfo=ZoneInfo(zone)) if zone else moment
        return kind.fromisoformat(kept)
    if tag == "date":
        return datetime.date.fromisoformat(kept)
    if tag == "timedelta":
        return datetime.timedelta(*kept)
    if tag == "tuple":
        return tuple(_from_json(item) for item in kept)
    if tag == "dict":
        return {_from_json(key): _from_json(item) for key, item in kept}
    if tag == "dataset":
        dataset = tablib.Dataset(
            *(tuple(_from_json(cell) for cell in row) for row in kept["rows"]),
            headers=_from_json(kept["headers"]),
            title=_from_json(kept["title"]),
        )
        numbers = _from_json(kept["row_numbers"])
        if numbers is not None:
            dataset.row_numbers = numbers
        sheets = _from_json(kept.get("row_sheets"))
        if sheets is not None:
            dataset.row_sheets = sheets
        return dataset
    if tag == "part":
        return SheetPart(*_from_json(kept))
    raise ValueError(f"unknown tag {tag!r}")


def resource_path(resource: Any) -> str:
    return f"{type(resource).__module__}.{type(resource).__qualname__}"


def keep_upload(
    resource: Any,
    sheet: Sheet,
    *,
    user: Any = None,
    file_name: str = "",
    actions: list[str] | None = None,
    versions: list[Any] | None = None,
    records: list[str] | None = None,
) -> PendingImport:
    """Keep the rows of a previewed upload, what the preview said each does, the version of the
    record each read and the records its cells were read as, for its confirmation; its ``key``
    confirms (or cancels) it."""
    # Previews past their expiry give back their rows' space; nothing else ends a preview.
    PendingImport.objects.expire()
    now = timezone.now()
    return PendingImport.objects.create(
        uploaded_by=user if user is not None and user.is_authenticated else None,
        resource=resource_path(resource),
        model=resource._meta.model._meta.label,
        file_name=file_name[:255],
        uploaded_at=now,
        expires_at=PendingImport.expiry_from(now),
        sheet=sheet_to_json(sheet),
        actions=actions or [],
        versions=versions or [],
        records=records or [],
    )


def pending_upload(
    resource: Any, upload: str, *, user: Any = None, with_rows: bool = False
) -> PendingImport:
    """The preview named ``upload``, still waiting, that ``user`` may confirm or cancel with
    ``resource``; otherwise :class:`UploadUnavailable` says why not. Its rows are read only
    ``with_rows``."""
    previews = PendingImport.objects.select_related("uploaded_by", "finished_by")
    try:
        pending = (previews if with_rows else previews.defer("sheet")).get(key=upload)
    except (PendingImport.DoesNotExist, ValidationError, ValueError):
        raise UploadUnavailable(
            _(
                "This preview is not kept: it never existed, or it ended long ago and was "
                "deleted. Upload the file again."
            )
        ) from None
    if not pending.may_be_ended_by(user):
        raise UploadUnavailable(
            _(
                "Only %(user)s, who uploaded this file, or an administrator may confirm or "
                "cancel its preview."
            )
            % {"user": user_name(pending.uploaded_by)},
            pending,
        )
    if pending.resource != resource_path(resource):
        model = apps.get_model(pending.model)
        raise UploadUnavailable(
            _("This preview is of a list of %(records)s: confirm it on that list's import page.")
            % {"records": model._meta.verbose_name_plural},
            pending,
        )
    refusal = ended(pending)
    if refusal is not None:
        raise refusal
    return pending


def ended(pending: PendingImport) -> UploadUnavailable | None:
    """Why ``pending`` can no longer be confirmed or cancelled, if it has ended."""
    if pending.expired:
        PendingImport.objects.filter(pk=pending.pk).expire()
        return UploadUnavailable(
            _(
                "This preview expired at %(time)s on %(date)s: a preview is kept %(hours)s "
                "hours. Upload the file again."
            )
            % {**when(pending.expires_at), "hours": settings.IMPORT_PREVIEW_HOURS},
            pending,
        )
    if pending.state == PendingImport.State.IMPORTED:
        return UploadUnavailable(
            _("This file was already imported by %(user)s at %(time)s on %(date)s.")
            % {"user": user_name(pending.finished_by), **when(pending.finished_at)},
            pending,
        )
    if pending.state == PendingImport.State.CANCELLED:
        return UploadUnavailable(
            _(
                "This preview was cancelled by %(user)s at %(time)s on %(date)s. Upload the file "
                "again to import it."
            )
            % {"user": user_name(pending.finished_by), **when(pending.finished_at)},
            pending,
        )
    return None


def user_name(user: Any) -> str:
    if user is None:
        return _("an unknown user")
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def when(moment: datetime.datetime) -> dict[str, str]:
    """A moment as a message says it, in the site's time zone: its time and its date."""
    local = timezone.localtime(moment)
    return {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}


def _end(pending: PendingImport, state: str, user: Any) -> None:
    """Mark ``pending`` ended, unless another request ended it first (a second click on
    Confirm, a cancel in another tab): then say how that one ended it."""
    now = timezone.now()
    claimed = (
        PendingImport.objects.waiting()
        .filter(pk=pending.pk, expires_at__gt=now)
        .update(
            state=state,
            finished_by=user if user is not None and user.is_authenticated else None,
            finished_at=now,
            sheet=None,
        )
    )
    if not claimed:
        raise _ended_meanwhile(pending)


def _ended_meanwhile(pending: PendingImport) -> UploadUnavailable:
    """Why ``pending``, found waiting a moment ago, has ended since."""
    fresh = PendingImport.objects.select_related("finished_by").defer("sheet")
    pending = fresh.filter(pk=pending.pk).first() or pending
    return ended(pending) or UploadUnavailable(_damaged_upload(), pending)


def _damaged_upload() -> str:
    return _("This preview cannot be read any more. Upload the file again.")


def cancel_upload(resource: Any, upload: str, *, user: Any = None) -> PendingImport:
    """Cancel the preview named ``upload``: its rows are dropped, and a confirmation that comes
    later is told who cancelled it and when. Raises :class:`UploadUnavailable` as
    :func:`pending_upload` does."""
    pending = pending_upload(resource, upload, user=user)
    _end(pending, PendingImport.State.CANCELLED, user)
    return pending


def preview_upload(
    resource: Any, data: bytes, *, user: Any = None, file_name: str = ""
) -> ImportReport:
    """The preview of an uploaded file. When every row can be imported, its rows wait in a
    :class:`~movement.models.PendingImport` for :func:`confirm_upload` (or
    :func:`cancel_upload`); ``report.upload`` names them and ``report.expires_at`` says until
    when they wait."""
    report = import_file(resource, data, dry_run=True, user=user, file_name=file_name)
    if report.ok and report.sheet is not None:
        pending = keep_upload(
            resource,
            report.sheet,
            user=user,
            file_name=file_name,
            actions=[row.action for row in report.rows],
            versions=[row.record for row in report.rows],
            records=[row.records for row in report.rows],
        )
        report.upload = pending.key.hex
        report.expires_at = pending.expires_at
    return report


def confirm_upload(
    resource: Any, upload: str, *, user: Any = None, file_name: str = ""
) -> ImportReport:
    """Import, for good, the rows a preview kept as ``upload``: all of them, or none if the
    database no longer allows one (someone recorded the same award meanwhile), and then the
    preview still waits. Raises :class:`UploadUnavailable` when the rows cannot be confirmed:
    the preview has expired, was cancelled or imported already, or is another user's."""
    pending = pending_upload(resource, upload, user=user, with_rows=True)
    if pending.sheet is None:  # ended between the two reads
        raise _ended_meanwhile(pending)
    try:
        sheet = sheet_from_json(pending.sheet)
    except (TypeError, ValueError, KeyError, AttributeError):
        logger.warning("Unreadable preview %s", pending.pk, exc_info=True)
        raise UploadUnavailable(_damaged_upload(), pending) from None
    # The rows as JSON are not read again: a list per row, which would stay alive (and be
    # walked by the cycle collector) for as long as the import of the same rows lasts.
    pending.sheet = None
    with transaction.atomic():
        # Claimed first, so that a second click imports nothing twice; undone if nothing is
        # written.
        _end(pending, PendingImport.State.IMPORTED, user)
        # Read before the import saves them (and locked until it ends, on PostgreSQL).
        stored = versions_now(resource._meta.model, pending.versions)
        report = import_file(resource, sheet, dry_run=False, user=user, file_name=file_name)
        if report.written and pending.actions:
            refuse_changed_rows(report, pending.actions)
        if report.written and pending.versions:
            refuse_saved_records(report, resource._meta.model, pending.versions, stored)
        if report.written and pending.records:
            refuse_other_records(report, pending.records)
        if not report.written:
            transaction.set_rollback(True)
    return report


def refuse_changed_rows(report: ImportReport, previewed: list[str]) -> None:
    """Refuse the confirmation of ``report`` if a row now does something else than its preview
    said: a row shown as new that meets a record someone recorded meanwhile would otherwise
    update that record, and one shown unchanged would overwrite an edit made since."""
    for row, action in zip(report.rows, previewed, strict=False):
        if row.action != action:
            report.problems.append(
                Problem(
                    row.row,
                    "",
                    _(
                        "The preview showed this row as %(previewed)s, but the records have "
                        "changed since (someone else recorded or edited them): it would now be "
                        "%(now)s. Upload the file again to see the rows as they are now."
                    )
                    % {"previewed": ACTION_NAMES[action], "now": ACTION_NAMES[row.action]},
                    row.sheet,
                )
            )
    if len(report.rows) != len(previewed):
        report.errors.append(
            _("The rows are no longer those of the preview. Upload the file again.")
        )
    report.written = report.ok


def versions_now(model: type, previewed: list[Any]) -> dict[Any, int]:
    """The version stored now of each record whose ``[key, version]`` is in ``previewed``."""
    keys = [record[0] for record in previewed if record]
    if not keys or not issubclass(model, Versioned):
        return {}
    stored: dict[Any, int] = {}
    for start in range(0, len(keys), VERSIONS_PER_QUERY):
        stored.update(
            # Unordered: an award's ordering would join its type, which FOR UPDATE would lock.
            model._base_manager.select_for_update()
            .filter(pk__in=keys[start : start + VERSIONS_PER_QUERY])
            .order_by()
            .values_list("pk", "version")
        )
    return stored


# Rows whose refusal says who saved their record since: each is one query.
SAVERS_NAMED = 20


def refuse_saved_records(
    report: ImportReport, model: type, previewed: list[Any], stored: dict[Any, int]
) -> None:
    """Refuse the confirmation of ``report`` if a record that a row updates or leaves
    unchanged was saved (or deleted) after the preview read it: the preview showed the row
    against that version, and the row would overwrite the edit made since, even without a
    version column (which movement.spreadsheets.resources checks)."""
    named = 0
    for row, record in zip(report.rows, previewed, strict=False):
        if not record or stored.get(record[0]) == record[1]:
            continue
        key, version = record
        message = _(
            "The record of this row was saved or deleted by someone else after the preview "
            "read it (at version %(version)s): nothing was imported. Upload the file again to "
            "see the rows as they are now."
        ) % {"version": version}
        named += 1
        if named <= SAVERS_NAMED:
            # A record deleted since has its history still.
            who = saved_by(model(pk=key).saves_since(version))
            if who:
                message += " " + _("Changed by %(who)s.") % {"who": who}
        report.problems.append(Problem(row.row, "", message, row.sheet))
    report.written = report.ok


def refuse_other_records(report: ImportReport, previewed: list[str]) -> None:
    """Refuse the confirmation of ``report`` if a cell now reads as another record than the
    preview showed: a person renamed and a namesake recorded since would otherwise have the row
    land on someone the preview never showed, while it still does what the preview said."""
    for row, records in zip(report.rows, previewed, strict=False):
        if row.records == records:
            continue
        cells = records.split(RECORDS_BETWEEN_CELLS)
        for column, then, matches in zip(report.headers, cells, row.matches, strict=False):
            if then == keys_of(matches):
                continue
            report.problems.append(
                Problem(
                    row.row,
                    column,
                    _(
                        "The preview read this cell as another record than it reads as now "
                        "(%(now)s): someone else has added, renamed or deleted records since. "
                        "Nothing was imported. Upload the file again to see the rows as they "
                        "are now."
                    )
                    % {"now": ", ".join(str(match) for match in matches) or _("no record")},
                    row.sheet,
                )
            )
    report.written = report.ok


ACTION_NAMES = {
    "new": gettext_lazy("a new record"),
    "update": gettext_lazy("an update of a recorded one"),
    "skip": gettext_lazy("unchanged"),
}
