"""Login lockouts (django-axes), and password spraying, which django-axes cannot see alone.

django-axes locks a user name at an address after AXES_FAILURE_LIMIT wrong passwords: the pair,
so that colleagues behind one office address do not lock each other out by their own typos. It
never keeps passwords, so it cannot tell one password tried against many names (spraying) from
colleagues mistyping their own. The backend below remembers a keyed digest of each wrong password
for the cool-off time; once one password has failed for AXES_FAILURE_LIMIT names from an address,
``lockout_parameters`` makes django-axes count that address's failures together, which locks it.
"""

from datetime import timedelta

from axes.helpers import get_client_ip_address
from axes.models import AccessBase
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from movement.models import FailedPassword


class PasswordSprayBackend(ModelBackend):
    """Django's ModelBackend, remembering the wrong passwords tried from each address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username, password, **kwargs)
        if user is None and request is not None and username and password:
            FailedPassword.objects.record(get_client_ip_address(request), username, password)
        return user


def client_address(request_or_attempt: HttpRequest | AccessBase) -> str | None:
    if isinstance(request_or_attempt, AccessBase):
        return request_or_attempt.ip_address
    return get_client_ip_address(request_or_attempt)


def lockout_parameters(
    request_or_attempt: HttpRequest | AccessBase, credentials: dict | None = None
) -> list:
    """AXES_LOCKOUT_PARAMETERS: the user name at its address, and the whole address while a
    password is being sprayed from it."""
    if FailedPassword.objects.spraying_from(client_address(request_or_attempt)):
        return [["username", "ip_address"], "ip_address"]
    return [["username", "ip_address"]]


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a page in the site's language saying for how long, and whom to ask."""
    context = {
        "minutes": settings.AXES_COOLOFF_TIME // timedelta(minutes=1),
        "whole_address": FailedPassword.objects.spraying_from(client_address(request)),
    }
    return render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
