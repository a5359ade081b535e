from django.db import models
from django.utils.translation import gettext_lazy as _

from movement.text import fold


class Source(models.Model):
    """A document the data was taken from (nguồn): the conference report, a law, a decision."""

    class Kind(models.TextChoices):
        REPORT = "report", _("news report")
        LAW = "law", _("law or regulation")
        DECISION = "decision", _("decision")

    slug = models.SlugField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REPORT)
    title = models.CharField(_("title"), max_length=300)
    author = models.CharField(_("author"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    text = models.TextField(_("full text"), blank=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("What is known about the document itself, e.g. that it has no headline."),
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class SourceManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Source:
        return self.get(slug=slug)


Source.add_to_class("objects", SourceManager())


class Sourced(models.Model):
    """A record that can show where it came from and what in it was inferred rather than read."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
    )
    source_quote = models.TextField(
        _("quoted sentences"),
        blank=True,
        help_text=_(
            "The sentences of the source this record was taken from, word for word, one per line."
        ),
    )
    inference_note = models.TextField(
        _("inferred"),
        blank=True,
        help_text=_(
            "What this record takes from context rather than from the source's words, and why. "
            "Empty when everything is stated outright."
        ),
    )

    class Meta:
        abstract = True

    @property
    def is_inferred(self) -> bool:
        return bool(self.inference_note.strip())

    def quotes(self) -> list[str]:
        return [line.strip() for line in self.source_quote.splitlines() if line.strip()]


class Searchable(models.Model):
    """A record with a diacritics-free copy of its searchable text, refreshed on every save."""

    search_text = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join(part for part in self.search_parts() if part))
