"""The interface's language: Vietnamese, or the one a person picked; never the browser's guess."""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Speak the language picked with ``set_language`` (its cookie), else LANGUAGE_CODE.

    Django's own middleware falls back on the browser's Accept-Language, and government PCs often
    run an English browser for people who read Vietnamese.
    """

    def process_request(self, request: HttpRequest) -> None:
        try:
            language = translation.get_supported_language_variant(
                request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            )
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
