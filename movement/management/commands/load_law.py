"""Load the catalogue of the legal texts (fixtures/law.json): the laws, decrees and circulars on
emulation and commendation, and the forms and titles they establish, each citing its article.

The fixture uses natural keys (a source's code, a type's name and class), so a second load finds
the same rows and changes nothing. It is kept apart from the report's fixture: a law is a source
of its own, and no record of it points to the report.

Where the report already named a type the law also establishes (same name and class), the
report's record stays the report's: its words, quotes and inferences are not replaced by the
law's. It gains the law's citation only when the article was read in the text (``confirmed``);
otherwise it is left as it is, and the command says so.
"""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from movement import audit
from movement.management.commands.load_report import refresh_search_text
from movement.models import AwardType, Source

FIXTURE = "law"
CITATION_FIELDS = ("legal_source", "legal_article", "article_confirmed", "citation_note")


def fixture_path() -> Path:
    return Path(settings.FIXTURE_DIRS[0]) / f"{FIXTURE}.json"


def is_law_record(record: AwardType) -> bool:
    """Whether the type was taken from a legal text, rather than from the report or by staff."""
    return record.source is not None and record.source.kind == Source.Kind.LAW


def cite_in_place(record: AwardType, law: AwardType) -> bool:
    """Give ``record`` (another source's) the law's citation if its article is confirmed.

    Returns whether the record was changed.
    """
    if not law.article_confirmed:
        return False
    if all(getattr(record, name) == getattr(law, name) for name in CITATION_FIELDS):
        return False
    for name in CITATION_FIELDS:
        setattr(record, name, getattr(law, name))
    record.save(update_fields=CITATION_FIELDS)
    return True


class Command(BaseCommand):
    help = (
        "Nạp danh mục hình thức khen thưởng, danh hiệu thi đua theo văn bản pháp luật "
        "(fixtures/law.json). / Load the legal texts and the award types they establish."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Nạp lại cả những bản ghi đã có (ghi đè các bản ghi pháp luật đã sửa).",
        )

    def handle(self, *args, force: bool, **options) -> None:
        text = fixture_path().read_text(encoding="utf-8")
        loaded = cited = 0
        kept: list[str] = []
        with transaction.atomic(), audit.recording(audit.Path.FIXTURE, FIXTURE, raw_saves=True):
            for item in serializers.deserialize("json", text):
                record = item.object
                rows = type(record)._default_manager
                existing = rows.filter(pk=record.pk).first() if record.pk else None
                if isinstance(record, AwardType) and existing and not is_law_record(existing):
                    if cite_in_place(existing, record):
                        cited += 1
                    elif not record.article_confirmed:
                        kept.append(str(existing))
                    continue
                if existing is not None and not force:
                    # Already loaded: a later edit by staff is kept (--force loads it again).
                    continue
                item.save()
                loaded += 1
            for source in Source.objects.filter(kind=Source.Kind.LAW):
                refresh_search_text(source)
        self.stdout.write(
            self.style.SUCCESS(
                f"Văn bản pháp luật: nạp {loaded} bản ghi, thêm trích dẫn cho {cited} loại của "
                "nguồn khác"
            )
        )
        for name in kept:
            self.stdout.write(
                f"Giữ nguyên “{name}” của nguồn khác: điều khoản trong văn bản chưa được đối chiếu"
            )
