"""Spreadsheet columns for every record, as the staff exchange them: Vietnamese headers, related
records by name, dates day first.

Each resource imports on a natural key (a code, a name, an award's key), so importing the file
an export produced changes nothing, and importing it twice adds nothing.
"""

import uuid
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from movement.audit import AuditedImportMixin
from movement.models import (
    Award,
    AwardType,
    Campaign,
    Decision,
    Discipline,
    Event,
    Initiative,
    Inspection,
    Person,
    PersonRating,
    Posting,
    Rank,
    RankChange,
    Rating,
    RecipientKind,
    Registration,
    Source,
    Task,
    Unit,
    UnitRating,
    WorkArea,
    WorkPlan,
    group_label,
    keep_ranks_and_positions,
    ranks_and_positions_left,
)
from movement.models.versions import saved_by
from movement.permissions import UnitScopedImportMixin
from movement.proposals import awards_warnings, warning_message
from movement.spreadsheets.cells import (
    AwardClassWidget,
    ChoiceWidget,
    DateWidget,
    GroupWidget,
    LineWidget,
    NumberWidget,
    TextWidget,
    UUIDWidget,
    YearWidget,
    YesNoWidget,
)
from movement.spreadsheets.columns import ColumnsError, ColumnsMixin
from movement.spreadsheets.names import (
    AwardTypeWidget,
    NamedRecordsWidget,
    NamedRecordWidget,
    PersonWidget,
    UnitWidget,
    WorkAreaWidget,
    WorkPlanWidget,
)
from movement.spreadsheets.rows import KeyedInstanceLoader, RowImportMixin

# A cell starting with one of these is run as a formula by Excel or LibreOffice, so a name like
# "=HYPERLINK(…)" typed into the admin could act on the computer of whoever opens the export.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """Make a text cell that a spreadsheet would run as a formula read as plain text, with the
    apostrophe Excel itself uses; also a text whose own leading apostrophe
    :func:`unescape_formula` would remove, so that every text reads back as it was."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_PREFIXES) or unescape_formula(value) is not value
    ):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """Undo :func:`escape_formula`, so an exported file imports back to the same text."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:].startswith((*FORMULA_PREFIXES, "'"))
    ):
        return value[1:]
    return value


def formula_text(value: Any) -> str | None:
    """The text an escaped formula cell stands for ("'=1+1" stands for "=1+1"), or None: what
    a workbook writes as it is, with Excel's quote-prefix attribute instead of the apostrophe."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return None


def unescaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """``dataset`` with :func:`unescape_formula` applied to its cells, before anything reads
    them: the keys rows are matched by and the names the widgets look up included. A copy,
    when a cell needs it: the rows read stay as the file has them (a preview keeps them for its
    confirmation, which must not remove a second apostrophe)."""
    rows = list(dataset)
    escaped = [
        number
        for number, row in enumerate(rows)
        if any(type(value) is str and value.startswith("'") for value in row)
    ]
    if not escaped:
        return dataset
    for number in escaped:
        rows[number] = tuple(unescape_formula(value) for value in rows[number])
    copy = tablib.Dataset(*rows, headers=dataset.headers)
    if hasattr(dataset, "row_numbers"):
        copy.row_numbers = dataset.row_numbers
    return copy


def column(attribute: str, name: str, widget: widgets.Widget, **kwargs: Any) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name, widget=widget, **kwargs)


# Shorthands for the usual columns. A resource's own field names (text, date, number…) would
# shadow plain names inside its class body, hence the "_column" suffix.
def line_column(attribute: str, name: str) -> fields.Field:
    return column(attribute, name, LineWidget())


def text_column(attribute: str, name: str) -> fields.Field:
    return column(attribute, name, TextWidget())


def number_column(attribute: str, name: str) -> fields.Field:
    return column(attribute, name, NumberWidget())


def year_column(attribute: str, name: str) -> fields.Field:
    return column(attribute, name, YearWidget())


def date_column(attribute: str, name: str) -> fields.Field:
    return column(attribute, name, DateWidget())


def choice_column(attribute: str, name: str, choices: Any) -> fields.Field:
    return column(attribute, name, ChoiceWidget(choices))


def yes_no_column(attribute: str, name: str) -> fields.Field:
    return column(attribute, name, YesNoWidget())


def made_code_column() -> fields.Field:
    # A code a row may leave out, column and all: the instance loader makes one from the name
    # (movement.spreadsheets.rows.KeyedInstanceLoader). The default ("") only marks it not required.
    return column("slug", "Mã", LineWidget(), default="")


def unit_widget() -> UnitWidget:
    return UnitWidget(Unit)


def person_widget() -> PersonWidget:
    return PersonWidget(Person)


SOURCED_FIELDS = ("source", "source_quote", "inference_note")

VERSION_COLUMN = "Phiên bản"
# Stale rows whose message says who changed the record since (one query each); the others say
# the versions only.
STALE_ROWS_NAMED = 20


class MovementResource(
    UnitScopedImportMixin,
    AuditedImportMixin,
    ColumnsMixin,
    RowImportMixin,
    resources.ModelResource,
):
    """What every resource shares: formula escaping, unchanged rows skipped, model validation;
    rows refused outside a unit editor's units, and history written in bulk mode too; headers
    matched loosely and checked before any row (ColumnsMixin); rows read and checked in bulk
    (RowImportMixin)."""

    # Relations the columns read, fetched with the rows so an export runs no query per row.
    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()

    # Model fields whose errors belong to another field's column (see column_of).
    error_columns: dict[str, str] = {}

    # The version each record was exported at (movement.models.versions). An import refuses a
    # row that would change a record saved since; a row without it (the column left out, the
    # cell blank: a template, a list typed by hand) is taken as written for the record as it
    # is now. Never imported as a value: the record's own save moves it on.
    version = column("version", VERSION_COLUMN, NumberWidget(), readonly=True)

    class Meta:
        skip_unchanged = True
        # Unchanged rows are told by RowImportMixin; the preview shows no diff.
        skip_diff = True
        skip_html_diff = True
        store_instance = True
        instance_loader_class = KeyedInstanceLoader

    def import_data(
        self,
        dataset: Any,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        **kwargs: Any,
    ) -> Any:
        # The columns are checked before any row is read: a file without a column every row
        # needs is refused as a whole, naming the column.
        try:
            warnings = self.prepare_columns(dataset)
        except ColumnsError as error:
            result = self.get_result_class()()
            result.append_base_error(self.get_error_result_class()(error))
            result.warnings = []
            return result
        result = super().import_data(
            unescaped(dataset),
            dry_run,
            raise_errors,
            use_transactions,
            collect_failed_rows,
            rollback_on_validation_errors,
            **kwargs,
        )
        result.warnings = warnings
        return result

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._file_version: int | None = None
        self._stale_rows = 0

    def import_instance(self, instance: Any, row: dict, **kwargs: Any) -> None:
        errors = {}
        try:
            self._file_version = self.fields["version"].widget.clean(row.get(VERSION_COLUMN))
        except ValueError as error:
            self._file_version = None
            errors["version"] = [str(error)]
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        errors = dict(import_validation_errors or {})
        stale = self.stale_version(instance)
        if stale:
            errors["version"] = [stale]
        super().validate_instance(instance, errors, validate_unique)

    def stale_version(self, instance: Any) -> str:
        """Why the row cannot change ``instance``, if the file has it at an older version than
        the stored one; "" otherwise. Only rows that change their record are asked: a row equal
        to the record as it is now is unchanged, whatever its version."""
        version, self._file_version = self._file_version, None
        if version is None or instance._state.adding or version == instance.version:
            return ""
        message = _(
            "The record of this row was changed after the file was exported: the file has "
            "version %(file)s, the record is now at version %(now)s. Nothing was imported. "
            "Export the list again and make your changes in the new file."
        ) % {"file": version, "now": instance.version}
        self._stale_rows += 1
        if self._stale_rows <= STALE_ROWS_NAMED:
            who = saved_by(instance.saves_since(version))
            if who:
                message += " " + _("Changed by %(who)s.") % {"who": who}
        return message

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        # import-export's ModelResource resets the table's id sequence to the largest id after
        # an import that added rows, for files that carry ids; ours never do (a row's key is its
        # "Mã"). On PostgreSQL, with two imports at once, that moved the sequence back below the
        # other import's uncommitted ids, and a third collided with them (duplicate key on the
        # primary key; tests/test_concurrency.py).
        pass

    def column_of(self, name: str) -> str:
        """The column header for an error keyed by ``name`` (a field or model field name); ""
        for an error about the whole row."""
        name = self.error_columns.get(name, name)
        for field_name, field in self.fields.items():
            if name in (field_name, field.attribute):
                return field.column_name
        return ""

    def filter_export(self, queryset: QuerySet, **kwargs: Any) -> QuerySet:
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))


class SourcedResource(MovementResource):
    source = column("source", "Nguồn", NamedRecordWidget(Source, names=("title",)))
    source_quote = text_column("source_quote", "Câu trích nguồn")
    inference_note = text_column("inference_note", "Suy luận")


class SourceResource(MovementResource):
    slug = line_column("slug", "Mã")
    kind = choice_column("kind", "Loại", Source.Kind.choices)
    title = line_column("title", "Tiêu đề")
    author = line_column("author", "Tác giả")
    published_on = date_column("published_on", "Ngày đăng")
    text = text_column("text", "Toàn văn")
    note = text_column("note", "Ghi chú")

    class Meta:
        model = Source
        fields = ("slug", "kind", "title", "author", "published_on", "text", "note", "version")
        import_id_fields = ("slug",)


class UnitResource(SourcedResource):
    slug = made_code_column()
    name = line_column("name", "Tên đầy đủ")
    short_name = line_column("short_name", "Tên viết tắt")
    parent = column("parent", "Đơn vị cấp trên", unit_widget())
    kind = choice_column("kind", "Loại đơn vị", Unit.Kind.choices)
    is_external = yes_no_column("is_external", "Ngoài ngành Công an")

    export_select_related = ("parent", "source")

    class Meta:
        model = Unit
        fields = (
            "slug",
            "name",
            "short_name",
            "parent",
            "kind",
            "is_external",
            *SOURCED_FIELDS,
            "version",
        )
        import_id_fields = ("slug",)

    def filter_export(self, queryset: QuerySet, **kwargs: Any) -> QuerySet:
        # Parents before their children, so a file imported into an empty database finds each
        # row's parent already created.
        in_tree_order = Unit.objects.with_tree_fields().filter(pk__in=queryset.values("pk"))
        return super().filter_export(in_tree_order, **kwargs)


class RankResource(MovementResource):
    name = line_column("name", "Cấp bậc hàm")
    seniority = number_column("seniority", "Thứ tự")
    tier = choice_column("tier", "Cấp", Rank.Tier.choices)

    class Meta:
        model = Rank
        fields = ("name", "seniority", "tier", "version")
        import_id_fields = ("name",)


class PersonResource(SourcedResource):
    slug = made_code_column()
    full_name = line_column("full_name", "Họ và tên")
    rank = column("rank", "Cấp bậc hàm", NamedRecordWidget(Rank, code=None))
    position = line_column("position", "Chức vụ")
    unit = column("unit", "Đơn vị", unit_widget())

    export_select_related = ("rank", "unit", "source")

    class Meta:
        model = Person
        fields = ("slug", "full_name", "rank", "position", "unit", *SOURCED_FIELDS, "version")
        import_id_fields = ("slug",)

    def import_instance(self, instance: Person, row: dict, **kwargs: Any) -> None:
        # A person's current rank, unit and position are the latest entries of their history,
        # once they have one (movement.models.service): a list of people does not overwrite
        # them, a file of rank changes or postings adds to the history instead.
        before = {"rank": instance.rank_id, "unit": instance.unit_id, "position": instance.position}
        super().import_instance(instance, row, **kwargs)
        if instance._state.adding:
            return
        after = {"rank": instance.rank_id, "unit": instance.unit_id, "position": instance.position}
        changed = {name for name in before if before[name] != after[name]}
        errors = {}
        if "rank" in changed and instance.rank_changes.exists():
            errors["rank"] = _(
                "This person has a rank history: their rank is its latest entry. Import the "
                "new rank as a rank change instead."
            )
        moved = changed & {"unit", "position"}
        if moved and instance.postings.exists():
            message = _(
                "This person has postings: their unit and position are the latest one's. Import "
                "the new unit or position as a posting instead."
            )
            errors.update(dict.fromkeys(moved, message))
        if errors:
            raise ValidationError(errors)


class EventResource(SourcedResource):
    slug = line_column("slug", "Mã")
    name = line_column("name", "Tên hội nghị")
    date = date_column("date", "Ngày")
    year = year_column("year", "Năm")
    organiser = column("organiser", "Đơn vị tổ chức", unit_widget())
    description = text_column("description", "Mô tả")

    export_select_related = ("organiser", "source")

    class Meta:
        model = Event
        fields = (
            "slug",
            "name",
            "date",
            "year",
            "organiser",
            "description",
            *SOURCED_FIELDS,
            "version",
        )
        import_id_fields = ("slug",)


class CampaignResource(SourcedResource):
    slug = line_column("slug", "Mã")
    name = line_column("name", "Tên phong trào")
    kind = choice_column("kind", "Loại", Campaign.Kind.choices)
    start_year = year_column("start_year", "Từ năm")
    end_year = year_column("end_year", "Đến năm")
    slogan = line_column("slogan", "Khẩu hiệu")
    motto = line_column("motto", "Phương châm")
    guiding_principle = line_column("guiding_principle", "Tư tưởng chỉ đạo")
    audience = line_column("audience", "Đối tượng")
    launched_by_unit = column("launched_by_unit", "Đơn vị phát động", unit_widget())
    launched_by_person = column("launched_by_person", "Người phát động", person_widget())
    launch_event = column("launch_event", "Phát động tại", NamedRecordWidget(Event))
    description = text_column("description", "Mô tả")

    export_select_related = (
        "launched_by_unit",
        "launched_by_person__unit",
        "launch_event",
        "source",
    )

    class Meta:
        model = Campaign
        fields = (
            "slug",
            "name",
            "kind",
            "start_year",
            "end_year",
            "slogan",
            "motto",
            "guiding_principle",
            "audience",
            "launched_by_unit",
            "launched_by_person",
            "launch_event",
            "description",
            *SOURCED_FIELDS,
            "version",
        )
        import_id_fields = ("slug",)


def award_class_widget() -> AwardClassWidget:
    written = {
        code: AwardType(award_class=code).get_award_class_display_vi()
        for code in AwardType.Class.values
        if code
    }
    return AwardClassWidget(AwardType.Class.choices, written=written)


class AwardTypeResource(SourcedResource):
    name = line_column("name", "Hình thức khen thưởng")
    award_class = column("award_class", "Hạng", award_class_widget())
    category = choice_column("category", "Loại", AwardType.Category.choices)
    conferred_by = choice_column(
        "conferred_by", "Thẩm quyền khen thưởng", AwardType.Conferrer.choices
    )
    for_individuals = yes_no_column("for_individuals", "Cho cá nhân")
    for_collectives = yes_no_column("for_collectives", "Cho tập thể")
    valid_from = date_column("valid_from", "Áp dụng từ ngày")
    valid_until = date_column("valid_until", "Áp dụng đến ngày")
    legal_basis = line_column("legal_basis", "Căn cứ pháp lý")
    legal_source = column(
        "legal_source", "Văn bản quy định", NamedRecordWidget(Source, names=("title",))
    )
    legal_article = line_column("legal_article", "Điều, khoản")
    article_confirmed = yes_no_column("article_confirmed", "Đã đối chiếu điều khoản")
    citation_note = text_column("citation_note", "Ghi chú trích dẫn")

    export_select_related = ("source", "legal_source")

    class Meta:
        model = AwardType
        fields = (
            "name",
            "award_class",
            "category",
            "conferred_by",
            "for_individuals",
            "for_collectives",
            "valid_from",
            "valid_until",
            "legal_basis",
            "legal_source",
            "legal_article",
            "article_confirmed",
            "citation_note",
            *SOURCED_FIELDS,
            "version",
        )
        import_id_fields = ("name", "award_class")


class GroupField(fields.Field):
    """One cell ("3 tập thể") for the two fields of an unnamed group, its count and its kind."""

    def get_value(self, instance: Award) -> tuple[int | None, str]:
        return instance.group_count, instance.group_kind

    def save(self, instance: Award, row: dict, is_m2m: bool = False, **kwargs: Any) -> None:
        instance.group_count, instance.group_kind = self.clean(row, **kwargs)


AWARD_CLASS_COLUMN = "Hạng"
# The nouns group_label() writes after the count.
GROUP_KINDS = {RecipientKind.COLLECTIVE: "tập thể", RecipientKind.INDIVIDUAL: "cá nhân"}


# Rows named in the preview whose rank or position the history leaves as entered.
HISTORY_NOTES = 20


class AwardResource(SourcedResource):
    key = column("key", "Mã", UUIDWidget(), default=uuid.uuid4)
    year = year_column("year", "Năm")
    award_type = column(
        "award_type",
        "Hình thức khen thưởng",
        AwardTypeWidget(AwardType, AWARD_CLASS_COLUMN, award_class_widget()),
    )
    # Read by the award type's column above; the class is the type's, not the award's.
    award_class = column(
        "award_type__award_class", AWARD_CLASS_COLUMN, award_class_widget(), readonly=True
    )
    recipient_unit = column("recipient_unit", "Đơn vị nhận", unit_widget())
    recipient_person = column("recipient_person", "Cá nhân nhận", person_widget())
    group = GroupField(
        attribute="group_count",
        column_name="Số tập thể/cá nhân (chưa nêu tên)",
        widget=GroupWidget(GROUP_KINDS, group_label),
    )
    rank_at_award = column(
        "rank_at_award", "Cấp bậc khi khen thưởng", NamedRecordWidget(Rank, code=None)
    )
    position_at_award = line_column("position_at_award", "Chức vụ khi khen thưởng")
    conferring_unit = column("conferring_unit", "Cấp khen thưởng", unit_widget())
    presented_by = column("presented_by", "Người trao", person_widget())
    on_behalf_of = line_column("on_behalf_of", "Thừa ủy quyền")
    event = column("event", "Hội nghị", NamedRecordWidget(Event))
    decision_number = line_column("decision_number", "Số quyết định")
    decision_date = date_column("decision_date", "Ngày quyết định")
    campaign = column("campaign", "Phong trào", NamedRecordWidget(Campaign))
    note = text_column("note", "Ghi chú")
    # Exported so that a file says which awards were revoked; an import leaves them alone, as a
    # revocation is made by a decision, with the admin's action.
    revoked_on = column("revoked_on", "Ngày hủy bỏ", DateWidget(), readonly=True)
    revoked_by = column("revoked_by__number", "Quyết định hủy bỏ", LineWidget(), readonly=True)
    revocation_reason = column("revocation_reason", "Lý do hủy bỏ", TextWidget(), readonly=True)

    def row_warnings(self, awards: list[Award | None]) -> list[str]:
        """For each row's award, why the rules of eligibility do not support it ("" if they
        do): the preview shows it, the import still goes ahead (movement.proposals)."""
        found = [award for award in awards if award is not None]
        reasons = dict(zip(map(id, found), awards_warnings(found), strict=True))
        return [
            warning_message(reasons[id(award)]) if reasons.get(id(award)) else ""
            for award in awards
        ]

    export_select_related = (
        "award_type",
        "recipient_unit",
        "recipient_person__unit",
        "rank_at_award",
        "conferring_unit",
        "presented_by__unit",
        "event",
        "campaign",
        "source",
        "revoked_by",
    )

    class Meta:
        model = Award
        fields = (
            "key",
            "year",
            "award_type",
            "award_class",
            "recipient_unit",
            "recipient_person",
            "group",
            "rank_at_award",
            "position_at_award",
            "conferring_unit",
            "presented_by",
            "on_behalf_of",
            "event",
            "decision_number",
            "decision_date",
            "campaign",
            "note",
            *SOURCED_FIELDS,
            "revoked_on",
            "revoked_by",
            "revocation_reason",
            "version",
        )
        import_id_fields = ("key",)
        # Written in one bulk_create once every row is valid (see movement.spreadsheets.rows);
        # a file of new awards may leave the key out, each of its rows then being a new award.
        use_bulk = True
        batch_size = None

    # The group's kind shares the group's column.
    error_columns = {"group_kind": "group"}

    def before_save_instance(self, instance: Award, row: dict, **kwargs: Any) -> None:
        # Bulk mode writes without Award.save(): do what it does, unless nothing is written
        # (the rank and position for all the new awards at once: bulk_create).
        if not kwargs.get("dry_run"):
            instance.refresh_search_text()
        super().before_save_instance(instance, row, **kwargs)

    def bulk_create(
        self, using_transactions: bool, dry_run: bool, *args: Any, **kwargs: Any
    ) -> None:
        if not dry_run:
            keep_ranks_and_positions(self.create_instances)
        super().bulk_create(using_transactions, dry_run, *args, **kwargs)

    def file_warnings(self, awards: list[Award | None], rows: list[int]) -> list[str]:
        """For the preview: the new awards whose rank or position the recipient's history
        leaves as entered (nothing in force on the award's day), with their rows."""
        new = [
            (row, award)
            for row, award in zip(rows, awards, strict=True)
            if award is not None and award._state.adding and award.recipient_person_id
        ]
        left = ranks_and_positions_left([award for _row, award in new])
        return [
            _("Row %(row)s: %(note)s") % {"row": row, "note": award.history_note(fields)}
            for (row, award), fields in zip(new, left, strict=True)
            if fields
        ][:HISTORY_NOTES]

    def before_write(self, instances: list[Award]) -> None:
        # A row names its decision by number and date: linked to it, recorded if it was not.
        Decision.objects.link(instances)


class WorkPlanResource(SourcedResource):
    unit = column("unit", "Đơn vị", unit_widget())
    year = year_column("year", "Năm")
    campaign = column("campaign", "Phong trào", NamedRecordWidget(Campaign))
    declared_area_count = number_column("declared_area_count", "Số mặt công tác đã nêu")
    declared_task_count = number_column("declared_task_count", "Số nhiệm vụ đã nêu")
    summary = text_column("summary", "Tóm tắt")

    export_select_related = ("unit", "campaign", "source")

    class Meta:
        model = WorkPlan
        fields = (
            "unit",
            "year",
            "campaign",
            "declared_area_count",
            "declared_task_count",
            "summary",
            *SOURCED_FIELDS,
            "version",
        )
        import_id_fields = ("unit", "year")


PLAN_COLUMN = "Đơn vị"
PLAN_YEAR_COLUMN = "Năm"


def plan_widget() -> WorkPlanWidget:
    return WorkPlanWidget(WorkPlan, unit_widget(), PLAN_YEAR_COLUMN)


class TaskResource(SourcedResource):
    plan = column("plan", PLAN_COLUMN, plan_widget())
    year = column("plan__year", PLAN_YEAR_COLUMN, YearWidget(), readonly=True)
    number = number_column("number", "Số thứ tự")
    area = column("area", "Mặt công tác", WorkAreaWidget(WorkArea, plan_widget(), PLAN_COLUMN))
    title = line_column("title", "Nhiệm vụ")
    assigned_units = column("assigned_units", "Đơn vị chủ trì", NamedRecordsWidget(unit_widget()))
    coordinating_units = column(
        "coordinating_units", "Đơn vị phối hợp", NamedRecordsWidget(unit_widget())
    )
    status = choice_column("status", "Trạng thái", Task.Status.choices)
    result = text_column("result", "Kết quả")
    result_quantity = number_column("result_quantity", "Số lượng đạt được")

    extra_required = ("year",)
    export_select_related = ("plan__unit", "area", "source")
    export_prefetch_related = ("assigned_units", "coordinating_units")

    class Meta:
        model = Task
        fields = (
            "plan",
            "year",
            "number",
            "area",
            "title",
            "assigned_units",
            "coordinating_units",
            "status",
            "result",
            "result_quantity",
            *SOURCED_FIELDS,
            "version",
        )
        import_id_fields = ("plan", "number")


# A person's service record. People are named as in the award files ("Name (Unit)" for
# namesakes: PersonWidget); the unit editor's bound is the person's unit (UnitScopedImportMixin).
PERSON_COLUMN = "Họ và tên"


class ServiceRecordResource(SourcedResource):
    """A kind of entry of a person's (or unit's) service record, keyed by its natural key (the
    fields of its unique constraint): a file imported again updates its entries. Those keys
    are of several columns, found for the whole file at once (KeyedInstanceLoader)."""

    keys_in_bulk = True


class PersonRatingResource(ServiceRecordResource):
    person = column("person", PERSON_COLUMN, person_widget())
    year = year_column("year", "Năm")
    rating = choice_column("rating", "Xếp loại", Rating.choices)

    export_select_related = ("person__unit", "source")

    class Meta:
        model = PersonRating
        fields = ("person", "year", "rating", *SOURCED_FIELDS, "version")
        # One rating a person a year: a file of a year's ratings, imported again, corrects them.
        import_id_fields = ("person", "year")
        # Written in one bulk_create (or bulk_update) once every row is valid: nothing else
        # follows from saving one (unlike a rank change or a posting).
        use_bulk = True
        batch_size = None


class RankChangeResource(ServiceRecordResource):
    person = column("person", PERSON_COLUMN, person_widget())
    rank = column("rank", "Cấp bậc hàm", NamedRecordWidget(Rank, code=None))
    since = date_column("since", "Từ ngày")
    decision = line_column("decision", "Quyết định")

    export_select_related = ("person__unit", "rank", "source")

    class Meta:
        model = RankChange
        fields = ("person", "rank", "since", "decision", *SOURCED_FIELDS, "version")
        # Saved one by one (not in bulk): each save brings the person's current rank up to date.
        # A rank change a day (its constraint): a file imported again corrects the rank.
        import_id_fields = ("person", "since")


class PostingResource(ServiceRecordResource):
    person = column("person", PERSON_COLUMN, person_widget())
    unit = column("unit", "Đơn vị", unit_widget())
    position = line_column("position", "Chức vụ")
    since = date_column("since", "Từ ngày")
    until = date_column("until", "Đến ngày")
    decision = line_column("decision", "Quyết định")

    export_select_related = ("person__unit", "unit", "source")

    class Meta:
        model = Posting
        fields = (
            "person",
            "unit",
            "position",
            "since",
            "until",
            "decision",
            *SOURCED_FIELDS,
            "version",
        )
        # Saved one by one (not in bulk): each save brings the person's unit and position up
        # to date.
        import_id_fields = ("person", "unit", "since")


class InitiativeResource(ServiceRecordResource):
    person = column("person", PERSON_COLUMN, person_widget())
    title = line_column("title", "Tên sáng kiến")
    level = choice_column("level", "Cấp công nhận", Initiative.Level.choices)
    year = year_column("year", "Năm công nhận")
    recognised_on = date_column("recognised_on", "Ngày công nhận")
    decision = line_column("decision", "Quyết định")

    export_select_related = ("person__unit", "source")

    class Meta:
        model = Initiative
        fields = (
            "person",
            "title",
            "level",
            "year",
            "recognised_on",
            "decision",
            *SOURCED_FIELDS,
            "version",
        )
        # No constraint: one initiative may be recognised at two levels in a year, and the
        # sources repeat titles. A row updates the one entry of its person, year and title;
        # several such entries are not guessed between (KeyedInstanceLoader).
        import_id_fields = ("person", "year", "title")
        # Written in one bulk_create (or bulk_update) once every row is valid: nothing else
        # follows from saving one (unlike a rank change or a posting).
        use_bulk = True
        batch_size = None


class DisciplineResource(ServiceRecordResource):
    person = column("person", PERSON_COLUMN, person_widget())
    form = choice_column("form", "Hình thức kỷ luật", Discipline.Form.choices)
    since = date_column("since", "Từ ngày")
    until = date_column("until", "Đến ngày")
    decision = line_column("decision", "Quyết định")

    export_select_related = ("person__unit", "source")

    class Meta:
        model = Discipline
        fields = ("person", "form", "since", "until", "decision", *SOURCED_FIELDS, "version")
        import_id_fields = ("person", "form", "since")
        # Written in one bulk_create (or bulk_update) once every row is valid: nothing else
        # follows from saving one (unlike a rank change or a posting).
        use_bulk = True
        batch_size = None


class InspectionResource(ServiceRecordResource):
    person = column("person", PERSON_COLUMN, person_widget())
    kind = choice_column("kind", "Loại", Inspection.Kind.choices)
    since = date_column("since", "Từ ngày")
    until = date_column("until", "Đến ngày")
    note = line_column("note", "Ghi chú")

    export_select_related = ("person__unit", "source")

    class Meta:
        model = Inspection
        fields = ("person", "kind", "since", "until", "note", *SOURCED_FIELDS, "version")
        import_id_fields = ("person", "kind", "since")
        # Written in one bulk_create (or bulk_update) once every row is valid: nothing else
        # follows from saving one (unlike a rank change or a posting).
        use_bulk = True
        batch_size = None


TITLE_CLASS_COLUMN = "Hạng danh hiệu"


class UnitRatingResource(ServiceRecordResource):
    unit = column("unit", "Đơn vị", unit_widget())
    year = year_column("year", "Năm")
    rating = choice_column("rating", "Xếp loại", Rating.choices)
    title = column(
        "title",
        "Danh hiệu thi đua",
        AwardTypeWidget(AwardType, TITLE_CLASS_COLUMN, award_class_widget()),
    )
    # Read by the title's column above; the class is the title's.
    title_class = column(
        "title__award_class", TITLE_CLASS_COLUMN, award_class_widget(), readonly=True
    )

    export_select_related = ("unit__parent", "title", "source")

    class Meta:
        model = UnitRating
        fields = ("unit", "year", "rating", "title", "title_class", *SOURCED_FIELDS, "version")
        # One rating a unit a year: a file of a year's ratings, imported again, corrects them.
        import_id_fields = ("unit", "year")
        # Written in one bulk_create (or bulk_update) once every row is valid: nothing else
        # follows from saving one (unlike a rank change or a posting).
        use_bulk = True
        batch_size = None


class RegistrationResource(MovementResource):
    """A unit's registrations for a year (đăng ký thi đua): one row per title aimed for, the
    unit's own (no officer named) or an officer's."""

    unit = column("unit", "Đơn vị", unit_widget())
    year = year_column("year", "Năm")
    campaign = column("campaign", "Phong trào", NamedRecordWidget(Campaign))
    person = column("person", PERSON_COLUMN, person_widget())
    award_type = column(
        "award_type",
        "Danh hiệu đăng ký",
        AwardTypeWidget(AwardType, AWARD_CLASS_COLUMN, award_class_widget()),
    )
    award_class = column(
        "award_type__award_class", AWARD_CLASS_COLUMN, award_class_widget(), readonly=True
    )
    note = line_column("note", "Ghi chú")

    export_select_related = ("unit", "campaign", "person__unit", "award_type")

    class Meta:
        model = Registration
        fields = (
            "unit",
            "year",
            "campaign",
            "person",
            "award_type",
            "award_class",
            "note",
            "version",
        )
        # One registration a unit (or officer) a year and campaign: the list sent again
        # corrects it.
        import_id_fields = ("unit", "person", "year", "campaign")
