"""Where each field of a certificate is printed on an award type's pre-printed blank."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords

from .base import RulesInClean

# Page sizes in millimetres, portrait (ISO 216).
PAGE_SIZES_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210)}


class CertificateLayout(models.Model):
    """An award type's blank: its paper, and where each field goes (:class:`CertificateField`).

    The blanks (bằng khen, giấy khen) come printed with the emblem and the words; the app prints
    only the recipient's details into their spaces, which differ from one print run to the next,
    so every position is edited here and checked with a calibration page.
    """

    class PageSize(models.TextChoices):
        A3 = "A3", "A3 (297 × 420 mm)"
        A4 = "A4", "A4 (210 × 297 mm)"
        A5 = "A5", "A5 (148 × 210 mm)"

    class Orientation(models.TextChoices):
        PORTRAIT = "portrait", _("portrait")
        LANDSCAPE = "landscape", _("landscape")

    award_type = models.OneToOneField(
        "movement.AwardType",
        on_delete=models.CASCADE,
        related_name="certificate_layout",
        verbose_name=_("award type"),
    )
    page_size = models.CharField(
        _("page size"), max_length=2, choices=PageSize.choices, default=PageSize.A4
    )
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    place = models.CharField(
        _("place"),
        max_length=100,
        blank=True,
        help_text=_("Printed before the date, e.g. “Hà Nội”; left empty, a dotted space."),
    )

    history = AuditedRecords()

    class Meta:
        verbose_name = _("certificate layout")
        verbose_name_plural = _("certificate layouts")
        ordering = ["award_type__name"]

    def __str__(self) -> str:
        return str(self.award_type)

    @property
    def page_mm(self) -> tuple[int, int]:
        """The page's width and height in millimetres, as it lies in the printer."""
        width, height = PAGE_SIZES_MM[self.page_size]
        return (
            (height, width) if self.orientation == self.Orientation.LANDSCAPE else (width, height)
        )


class CertificateField(RulesInClean, models.Model):
    """One field of a certificate: what, where (millimetres from the page's top-left corner, the
    text's baseline), in which font and size."""

    class Name(models.TextChoices):
        RECIPIENT = "recipient", _("recipient's name")
        RANK = "rank", _("rank")
        UNIT = "unit", _("unit")
        ACHIEVEMENT = "achievement", _("achievement")
        DECISION = "decision", _("decision number and date")
        PLACE_DATE = "place_date", _("place and date")

    class Font(models.TextChoices):
        # Liberation Serif: Times New Roman's metrics, every Vietnamese letter (movement/papers).
        REGULAR = "regular", _("serif")
        BOLD = "bold", _("serif, bold")
        ITALIC = "italic", _("serif, italic")
        BOLD_ITALIC = "bold_italic", _("serif, bold italic")

    class Align(models.TextChoices):
        CENTER = "center", _("centred on the position")
        LEFT = "left", _("starting at the position")

    layout = models.ForeignKey(
        CertificateLayout, on_delete=models.CASCADE, related_name="fields", verbose_name=_("layout")
    )
    name = models.CharField(_("field"), max_length=20, choices=Name.choices)
    x_mm = models.DecimalField(_("from the left (mm)"), max_digits=5, decimal_places=1)
    y_mm = models.DecimalField(_("from the top (mm)"), max_digits=5, decimal_places=1)
    font = models.CharField(_("font"), max_length=20, choices=Font.choices, default=Font.REGULAR)
    size_pt = models.PositiveSmallIntegerField(_("size (pt)"), default=14)
    align = models.CharField(
        _("alignment"), max_length=10, choices=Align.choices, default=Align.CENTER
    )

    history = AuditedRecords()

    class Meta:
        verbose_name = _("certificate field")
        verbose_name_plural = _("certificate fields")
        ordering = ["layout", "y_mm", "x_mm"]
        constraints = [
            models.UniqueConstraint(
                fields=["layout", "name"],
                name="certificate_field_once",
                violation_error_message=_(
                    "Each field is placed once on a layout: change the one already placed."
                ),
            ),
            models.CheckConstraint(
                condition=Q(x_mm__gte=0, y_mm__gte=0),
                name="certificate_field_on_page",
                violation_error_message=_(
                    "A position is measured from the page's top-left corner: give 0 or more."
                ),
            ),
            models.CheckConstraint(
                condition=Q(size_pt__gte=6, size_pt__lte=72),
                name="certificate_field_size",
                violation_error_message=_(
                    "The size of a field's letters is from 6 to 72 points: choose one of those."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_name_display()

    def clean(self) -> None:
        if (self.x_mm is not None and self.x_mm < 0) or (self.y_mm is not None and self.y_mm < 0):
            raise self.broken("certificate_field_on_page")
        if self.size_pt is not None and not 6 <= self.size_pt <= 72:
            raise self.broken("certificate_field_size", "size_pt")
        if self.layout_id is None or self.x_mm is None or self.y_mm is None:
            return
        width, height = self.layout.page_mm
        if self.x_mm > width or self.y_mm > height:
            raise ValidationError(
                _(
                    "The position is off the page, which is %(width)s × %(height)s mm: "
                    "give one on it."
                )
                % {"width": width, "height": height}
            )


# Where each field goes on a blank with no layout of its own: a landscape A4, the fields centred
# in the lower half where blanks leave their space. A first guess to calibrate, not a standard.
DEFAULT_FIELDS: list[tuple[str, Decimal, Decimal, str, int]] = [
    (CertificateField.Name.RANK, Decimal("148.5"), Decimal(95), CertificateField.Font.REGULAR, 14),
    (
        CertificateField.Name.RECIPIENT,
        Decimal("148.5"),
        Decimal(108),
        CertificateField.Font.BOLD,
        22,
    ),
    (CertificateField.Name.UNIT, Decimal("148.5"), Decimal(120), CertificateField.Font.REGULAR, 14),
    (
        CertificateField.Name.ACHIEVEMENT,
        Decimal("148.5"),
        Decimal(135),
        CertificateField.Font.ITALIC,
        14,
    ),
    (
        CertificateField.Name.PLACE_DATE,
        Decimal(210),
        Decimal(160),
        CertificateField.Font.ITALIC,
        13,
    ),
    (CertificateField.Name.DECISION, Decimal(70), Decimal(185), CertificateField.Font.REGULAR, 11),
]
