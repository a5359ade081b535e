"""Previewed uploads in a table of their own, as JSON, instead of pickles in a database cache
whose size limit evicted waiting previews; the cache's table goes."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0010_award_unit_year_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, unique=True, verbose_name="key"
                    ),
                ),
                ("resource", models.CharField(max_length=200, verbose_name="resource")),
                ("model", models.CharField(max_length=100, verbose_name="model")),
                (
                    "file_name",
                    models.CharField(blank=True, max_length=255, verbose_name="file name"),
                ),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="uploaded at"
                    ),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("waiting", "waiting for confirmation"),
                            ("imported", "imported"),
                            ("cancelled", "cancelled"),
                            ("expired", "expired"),
                        ],
                        default="waiting",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "finished_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="imported or cancelled at"
                    ),
                ),
                ("sheet", models.JSONField(blank=True, null=True, verbose_name="rows read")),
                (
                    "finished_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="imported or cancelled by",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "previewed upload",
                "verbose_name_plural": "previewed uploads",
                "ordering": ["-uploaded_at"],
                "indexes": [
                    models.Index(fields=["state", "expires_at"], name="pending_import_expiry")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("finished_at__isnull", False),
                                ("state__in", ["imported", "cancelled"]),
                            ),
                            models.Q(
                                ("finished_at__isnull", True), ("state__in", ["waiting", "expired"])
                            ),
                            _connector="OR",
                        ),
                        name="pending_import_finished_when_ended",
                        violation_error_message="Bản xem trước đã nhập hoặc đã huỷ phải có thời điểm kết thúc; bản đang chờ hoặc đã hết hạn thì không.",
                    )
                ],
            },
        ),
        migrations.RunSQL(
            "DROP TABLE IF EXISTS movement_spreadsheet_cache", reverse_sql=migrations.RunSQL.noop
        ),
    ]
