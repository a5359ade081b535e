"""Text columns that store one form of their text, whatever wrote it: a form, an import, code."""

from collections.abc import Callable
from typing import Any

from django.db import models

from movement.text import normalize, normalize_text


class NormalizedMixin:
    """A text field whose values are rewritten by ``normalized`` wherever they enter: a form or
    ``full_clean()`` (to_python), ``save()`` (pre_save, which keeps the instance as stored) and
    any write the ORM makes, bulk ones and ``update()`` included (get_db_prep_save)."""

    normalized: Callable[[str], str]

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return self.normalized(value) if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            value = self.normalized(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if isinstance(value, str):
            value = self.normalized(value)
        return super().get_db_prep_save(value, connection)


class TextField(NormalizedMixin, models.TextField):
    """Free text, stored NFC with LF line breaks (see :func:`movement.text.normalize_text`)."""

    normalized = staticmethod(normalize_text)


class LineField(NormalizedMixin, models.CharField):
    """A one-line text (a name, a title), stored NFC with its white space collapsed, as the
    spreadsheet import reads it (see :func:`movement.text.normalize`)."""

    normalized = staticmethod(normalize)
