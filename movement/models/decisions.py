"""Decisions on commendation (quyết định khen thưởng) and the awards they give or revoke.

A decision is a signed document: its number and symbol ("1234/QĐ-BCA"), the day it was signed,
the authority that issued it, who signed it and as what, the legal basis it recites ("Căn cứ …"
lines) and, when staff have it, the signed file itself. The decision is the record of all that;
an award refers to it (``Award.decision``) and keeps its number and date (``decision_number``,
``decision_date``), the reference a report or a spreadsheet gives, which the award's unique
constraints, its search text, the public pages' index-only tallies and the exports read without
a join. The two are kept in step: an award saved or imported is linked to the decision its
number and date name, recorded if it was not (:meth:`DecisionQuerySet.link`); a decision whose
number or date is corrected writes them into its awards; the admin's award form takes them from
the decision chosen.

The API for code that records a decision and its awards (the council's meeting, #16)::

    decision = Decision.objects.create(
        number="1234/QĐ-BCA", date=datetime.date(2017, 12, 20), issuer="Bộ Công an",
        signer="…", signer_position="Thứ trưởng", legal_basis="Căn cứ …", source=…,
    )
    awards = decision.record_awards([Award(award_type=…, year=2017, recipient_person=…), …])

``record_awards`` checks each award as a form would (``full_clean``), fills in the decision, its
number and date and, where an award has none, the decision's source, then writes them all in one
``bulk_create`` with their history rows; a refused award refuses them all (ValidationError,
keyed by the award's position, as a string). An award is revoked by a decision with
:meth:`Award.revoke`.
"""

import uuid
import zipfile
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords, record_bulk

from .base import Sourced, refresh_award_search_text
from .fields import LineField, TextField
from .versions import Versioned

if TYPE_CHECKING:
    from .awards import Award

# What a signed decision may be stored as, told by its first bytes (never by its name): the
# content type it is served with and the file name's extension.
SIGNED_FILE_KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
}


def signed_file_kind(file: File) -> str | None:
    """ "pdf", "docx", "jpeg" or "png" by the file's bytes; None for anything else."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        # A Word document is a zip holding word/document.xml; a workbook or any zip is not one.
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            file.seek(0)
        return "docx" if "word/document.xml" in names else None
    return None


def validate_signed_file(file: File) -> None:
    limit = settings.DECISION_MAX_FILE_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is larger than %(megabytes)s MB. Scan it at a lower resolution."),
            code="too_large",
            params={"megabytes": limit // (1024 * 1024)},
        )
    if signed_file_kind(file) is None:
        raise ValidationError(
            _("The signed decision must be a PDF, a Word document (.docx) or a JPEG or PNG scan."),
            code="file_kind",
        )


def signed_file_name(decision: "Decision", filename: str) -> str:
    """A name nobody can guess (the file is served to staff only, never by its storage's
    address), with the extension of what the bytes are."""
    kind = signed_file_kind(decision.file) if decision.file else None
    extension = SIGNED_FILE_KINDS[kind][1] if kind else ""
    return f"decisions/{uuid.uuid4().hex}{extension}"


class DecisionQuerySet(models.QuerySet):
    def link(self, awards: Sequence["Award"]) -> None:
        """Give each of ``awards`` the decision its number and date name, in a few queries,
        recording the decisions not yet recorded; an award without a number gets none, and one
        linked to a decision of another number or date is linked anew.

        A decision recorded so carries the first award's source and quoted sentences, where its
        number was read; no issuer is known from a number.
        """
        named = {}
        for award in awards:
            if award.decision_id is not None and type(award).decision.is_cached(award):
                named[award.decision_id] = (award.decision.number, award.decision.date)
        linked = {award.decision_id for award in awards if award.decision_id is not None}
        linked -= set(named)
        for start in range(0, len(linked), 1000):
            chunk = sorted(linked)[start : start + 1000]
            stored = self.filter(pk__in_array=chunk).values_list("pk", "number", "date")
            for pk, number, date in stored:
                named[pk] = (number, date)
        wanted = {}
        for award in awards:
            key = (award.decision_number, award.decision_date)
            if not award.decision_number:
                award.decision = None
            elif award.decision_id is None or named[award.decision_id] != key:
                award.decision = None
                wanted.setdefault(key, award)
        if not wanted:
            return
        found = {}
        numbers = sorted({number for number, _date in wanted})
        for start in range(0, len(numbers), 1000):
            chunk = numbers[start : start + 1000]
            # The earliest recorded of a number and date when several authorities issued one.
            for decision in self.filter(number__in_array=chunk).order_by("-pk"):
                found[decision.number, decision.date] = decision
        missing = [
            self.model(
                number=number,
                date=date,
                source_id=award.source_id,
                source_quote=award.source_quote,
            )
            for (number, date), award in wanted.items()
            if (number, date) not in found
        ]
        if missing:
            self.bulk_create(missing)
            record_bulk(missing, update=False)
            found.update({(one.number, one.date): one for one in missing})
        for award in awards:
            if award.decision_id is None and award.decision_number:
                award.decision = found[award.decision_number, award.decision_date]


class Decision(Sourced, Versioned):
    """A decision on commendation: a signed document that gives awards, or revokes them."""

    number = LineField(
        _("number and symbol"),
        max_length=100,
        help_text=_("As printed on the decision, e.g. “1234/QĐ-BCA”."),
    )
    date = models.DateField(
        _("signed on"), null=True, blank=True, help_text=_("Empty when the source does not say.")
    )
    issuer = LineField(
        _("issuing authority"),
        max_length=300,
        blank=True,
        help_text=_("Who issued it, as the decision names it, e.g. “Bộ Công an”."),
    )
    subject = LineField(
        _("subject"),
        max_length=500,
        blank=True,
        help_text=_("The decision's summary line (trích yếu), e.g. “Về việc khen thưởng …”."),
    )
    signer = LineField(_("signed by"), max_length=200, blank=True)
    signer_position = LineField(
        _("signer's position"),
        max_length=300,
        blank=True,
        help_text=_("As written above the signature, e.g. “KT. BỘ TRƯỞNG, THỨ TRƯỞNG”."),
    )
    legal_basis = TextField(
        _("legal basis"),
        blank=True,
        help_text=_("The “Căn cứ …” lines of the decision, one per line."),
    )
    file = models.FileField(
        _("signed file"),
        upload_to=signed_file_name,
        blank=True,
        max_length=200,
        validators=[validate_signed_file],
        help_text=_("The signed decision: PDF, Word (.docx), or a JPEG or PNG scan."),
    )

    objects = DecisionQuerySet.as_manager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-date", "number"]
        # An authority numbers its documents afresh each year, so a number and symbol recurs
        # only on another day; a number whose date is not known is known once.
        constraints = [
            models.UniqueConstraint(
                fields=["number", "issuer", "date"],
                condition=Q(date__isnull=False),
                name="decision_unique_number",
                violation_error_message=_(
                    "This authority already has a decision with this number signed on this day. "
                    "Open that decision instead of recording it again."
                ),
            ),
            models.UniqueConstraint(
                fields=["number", "issuer"],
                condition=Q(date__isnull=True),
                name="decision_unique_undated_number",
                violation_error_message=_(
                    "This authority already has a decision with this number whose date is not "
                    "known. Open that decision and give its date instead of recording it again."
                ),
            ),
        ]
        indexes = [models.Index(fields=["number", "date"], name="decision_number_date_idx")]

    def __str__(self) -> str:
        if self.date:
            return f"{self.number} ({self.date:%d/%m/%Y})"
        return self.number

    @property
    def file_kind(self) -> str | None:
        """What the stored file is, by its bytes."""
        if not self.file:
            return None
        with self.file.open("rb") as stored:
            return signed_file_kind(stored)

    def clean(self) -> None:
        super().clean()
        if self.pk is not None:
            clash = self.clash_under(self.number)
            if clash is not None:
                raise ValidationError(
                    {
                        "number": _(
                            "Under this number one of this decision's awards would repeat "
                            "“%(award)s”, recorded with the same number. Correct that award first."
                        )
                        % {"award": clash}
                    }
                )

    def clash_under(self, number: str) -> "Award | None":
        """An award of another decision that one of this decision's awards would repeat if
        the number were ``number`` (their unique constraints include the number they copy)."""
        award_model = self.awards.model
        same = award_model.objects.filter(
            decision=self, award_type=OuterRef("award_type"), year=OuterRef("year")
        )
        group = same.filter(
            recipient_person__isnull=True,
            recipient_unit__isnull=True,
            group_kind=OuterRef("group_kind"),
            group_count=OuterRef("group_count"),
        )
        return (
            award_model.objects.filter(decision_number=number)
            .exclude(decision=self)
            .filter(
                Exists(same.filter(recipient_person=OuterRef("recipient_person")))
                | Exists(same.filter(recipient_unit=OuterRef("recipient_unit")))
                | (Q(recipient_person__isnull=True, recipient_unit__isnull=True) & Exists(group))
            )
            .first()
        )

    def basis_lines(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    def save(self, *args, **kwargs) -> None:
        stored = None
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("number", "date").first()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if stored is not None and stored != (self.number, self.date):
                self.copy_to_awards()

    def copy_to_awards(self) -> None:
        """Write the number and date into the awards that copy them (see the module)."""
        awards = self.awards.all()
        awards.update(decision_number=self.number, decision_date=self.date)
        refresh_award_search_text(awards)

    def record_awards(self, awards: Iterable["Award"]) -> list["Award"]:
        """Record ``awards`` (unsaved) as given by this decision, all or none; see the module."""
        awards = list(awards)
        errors = {}
        # Each award is checked against the stored ones by full_clean(); two of the list itself
        # would only meet in the database's unique index, as an IntegrityError.
        first_of: dict[tuple, int] = {}
        for position, award in enumerate(awards):
            key = (
                award.award_type_id,
                award.year,
                award.recipient_person_id,
                award.recipient_unit_id,
                award.group_kind,
                award.group_count,
            )
            if key in first_of:
                errors[str(position)] = ValidationError(
                    _(
                        "The same award for the same year and recipient is already line "
                        "%(line)s of this list."
                    )
                    % {"line": first_of[key] + 1}
                )
            first_of.setdefault(key, position)
            award.decision = self
            award.decision_number, award.decision_date = self.number, self.date
            if award.source_id is None and not award.source_quote:
                award.source_id, award.source_quote = self.source_id, self.source_quote
                award.inference_note = award.inference_note or self.inference_note
            award.keep_rank_and_position()
            award.refresh_search_text()
            try:
                award.full_clean()
            except ValidationError as error:
                errors[str(position)] = ValidationError(
                    [*errors.get(str(position), ValidationError([])).messages, *error.messages]
                )
        if errors:
            raise ValidationError(errors)
        model = type(awards[0]) if awards else None
        if model is None:
            return []
        with transaction.atomic():
            created = model.objects.bulk_create(awards)
            record_bulk(created, update=False)
        return created
