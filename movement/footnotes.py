"""Footnotes that tie each fact on a page to the source sentences it was taken from."""

from dataclasses import dataclass, field

from movement.models import Source
from movement.models.base import Sourced


@dataclass
class Footnote:
    number: int
    quotes: list[str]
    source: Source | None
    inference_note: str

    @property
    def is_synthetic(self) -> bool:
        # Generated demo data must never read as a fact of the report.
        return self.source is not None and self.source.kind == Source.Kind.SYNTHETIC


@dataclass
class Footnotes:
    """The numbered notes of one page, in the order the facts citing them appear.

    Records quoting the same sentences of the same source share one note: a report often grants
    a dozen awards in one sentence, and a dozen identical notes would bury the page.
    """

    notes: list[Footnote] = field(default_factory=list)
    _by_key: dict[tuple, Footnote] = field(default_factory=dict)

    def cite(self, record: Sourced) -> Footnote | None:
        """The numbered note of ``record`` (its ``source`` loaded), or None if it has none."""
        quotes = record.quotes()
        inference_note = record.inference_note.strip()
        if not (quotes or inference_note or record.source_id):
            return None
        key = (record.source_id, tuple(quotes), inference_note)
        if key not in self._by_key:
            note = Footnote(len(self.notes) + 1, quotes, record.source, inference_note)
            self.notes.append(note)
            self._by_key[key] = note
        return self._by_key[key]

    def cite_all(self, records: list) -> None:
        """Cite each record in turn, keeping its note on it as ``record.footnote``."""
        for record in records:
            record.footnote = self.cite(record)
