"""The client's address when the app runs behind a reverse proxy (DJANGO_BEHIND_PROXY)."""

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the proxy saw: the last X-Forwarded-For entry, the one the proxy appended.

    Entries before it come from the client and can be anything; REMOTE_ADDR is the proxy itself.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
