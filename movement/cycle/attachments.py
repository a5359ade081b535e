"""A proposal's documents: what a file is, told by its bytes as the spreadsheet import tells
its files (movement.spreadsheets.files), and kept in the default storage under a name of ours.

Accepted: PDF, Word (.docx), Excel (.xlsx), JPEG and PNG. A file's name and the type its browser
claims are not asked: a renamed program stays refused. An Office file is a zip: its directory is
read (never unpacked) to tell a document from a workbook, and a zip that would unpack to far more
than it holds, or holds macros, is refused as the import refuses it.

Documents are added and removed only while the unit holds the proposal (a draft, or returned to
it), by a role that may, within the user's units (:func:`refusal`). A removal is a step of the
proposal's log (who, when, which document) and its file leaves the storage: a file attached by
mistake may hold what was never meant to be filed (another person's papers), no record would name
it any more, and what the office must keep — the dossier as sent — no longer changes once sent.
"""

import io
import zipfile
from functools import partial

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from movement.models import Attachment, Proposal, Step
from movement.permissions import may_edit
from movement.spreadsheets.files import MAX_ZIP_MEMBERS, RATIO_FLOOR_BYTES, ZIP_MAGIC, megabytes

from .transitions import Refused

ADD, REMOVE = "movement.add_attachment", "movement.delete_attachment"
# The log's name for a removal (Step.action), beside the transitions' names.
REMOVAL = "remove_document"

PDF, DOCX, XLSX, JPEG, PNG = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/jpeg",
    "image/png",
)
# The name a person knows each type by, for the log.
FORMATS = {PDF: "PDF", DOCX: "Word", XLSX: "Excel", JPEG: "JPEG", PNG: "PNG"}
MAGIC = [(b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG)]
# The part that makes a zip an Office document of each kind.
OFFICE_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
# Unpacked at most this many times its size (the import's own limit).
MAX_RATIO = 100


class AttachmentError(Exception):
    """A file refused; the message says why and what to send instead."""


def refused_kind() -> str:
    return _(
        "This file is not a PDF, Word (.docx), Excel (.xlsx), JPEG or PNG file. Save it in one "
        "of those forms (a scan as PDF) and attach it again."
    )


def content_type(data: bytes) -> str:
    """The content type of ``data``, told by its bytes, or :class:`AttachmentError`."""
    if not data:
        raise AttachmentError(_("The file is empty."))
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise AttachmentError(
            _("The file is %(size)s; a document may be at most %(limit)s.")
            % {"size": megabytes(len(data)), "limit": megabytes(limit)}
        )
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(ZIP_MAGIC):
        return office_kind(data)
    raise AttachmentError(refused_kind())


def office_kind(data: bytes) -> str:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise AttachmentError(
            _("The file is damaged: it cannot be read. Save it again and attach the saved file.")
        ) from None
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if len(members) > MAX_ZIP_MEMBERS or (
        unpacked > RATIO_FLOOR_BYTES and unpacked / packed > MAX_RATIO
    ):
        raise AttachmentError(
            _("The file unpacks to far more than a document of its size holds: refused as unsafe.")
        )
    names = {member.filename.lower() for member in members}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise AttachmentError(
            _(
                "The file contains macros. Save it without them (.docx or .xlsx) and attach it "
                "again."
            )
        )
    for part, kind in OFFICE_PARTS.items():
        if part in names:
            return kind
    raise AttachmentError(refused_kind())


def attach(proposal: Proposal, kind: str, upload: UploadedFile, user) -> Attachment:
    """Check ``upload`` by its bytes and keep it as a document of ``proposal``."""
    if upload.size is not None and upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentError(
            _("The file is %(size)s; a document may be at most %(limit)s.")
            % {"size": megabytes(upload.size), "limit": megabytes(settings.ATTACHMENT_MAX_BYTES)}
        )
    upload.seek(0)
    data = upload.read()
    found = content_type(data)
    upload.seek(0)
    attachment = Attachment(
        proposal=proposal,
        kind=kind,
        name=(upload.name or "").rsplit("/", 1)[-1][:255] or "tệp",
        content_type=found,
        size=len(data),
        uploaded_by=user,
    )
    attachment._history_user = user
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    return attachment


def refusal(proposal: Proposal, user, permission: str) -> str:
    """Why ``user`` may not add (``ADD``) or remove (``REMOVE``) ``proposal``'s documents now;
    "" when they may. Whether they see the proposal at all is the views' (proposal_for)."""
    if not user.has_perm(permission):
        return _("Your role does not change a proposal's documents.")
    if not may_edit(user, proposal):
        return _("This proposal is not of your units.")
    if not proposal.is_editable:
        return _(
            "The proposal is “%(state)s”: its documents change only while it is a draft or "
            "returned to the unit."
        ) % {"state": proposal.get_state_display()}
    return ""


def remove(attachment: Attachment, user) -> Step:
    """Remove ``attachment`` from its proposal as ``user``, or raise :class:`Refused`.

    The proposal is read again under a row lock, as a step reads it: a document is not removed
    from a proposal sent meanwhile. The log keeps what was removed; the file is deleted from the
    storage once the removal is committed, so a removal undone by a rollback keeps its file.
    """
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=attachment.proposal_id)
        reason = refusal(locked, user, REMOVE)
        if reason:
            raise Refused(reason)
        removed, _counts = Attachment.objects.filter(pk=attachment.pk, proposal=locked).delete()
        if not removed:
            raise Refused(_("This document was already removed."))
        # Written in the site's language when removed, as a reviewer's comment is: the log
        # reads as it was recorded.
        step = Step.objects.create(
            proposal=locked,
            action=REMOVAL,
            from_state=locked.state,
            to_state=locked.state,
            user=user,
            comment=_("%(kind)s: %(name)s (%(type)s, %(size)s)")
            % {
                "kind": capfirst(attachment.get_kind_display()),
                "name": attachment.name,
                "type": FORMATS.get(attachment.content_type, attachment.content_type),
                "size": filesizeformat(attachment.size),
            },
        )
        # robust: a storage that fails to delete (a network error) leaves a file no record
        # names, logged; the removal itself stands.
        transaction.on_commit(
            partial(attachment.file.storage.delete, attachment.file.name), robust=True
        )
    return step
