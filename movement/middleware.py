"""What every request passes through before any view reads it."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class RefuseNulInQueryMiddleware:
    """Answer 400 to a query string holding a NUL character.

    PostgreSQL stores no NUL in text, so one reaching a query fails it (500). Django's form fields
    refuse NUL, but much of a query string reaches the database without one: the admin's list
    filters (its own and other apps'), a ModelChoiceField's lookup before its validation. No
    link or form of this site makes one, so it is refused here, once for every view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [text for key, values in request.GET.lists() for text in [key, *values]]
        if any("\x00" in text for text in texts):
            # For the log; the visitor gets the site's page for a bad request.
            raise BadRequest("NUL in the query string")
        return self.get_response(request)
