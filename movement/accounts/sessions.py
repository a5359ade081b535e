"""A signed-in session ends after SESSION_IDLE_MINUTES without a request, or SESSION_MAX_HOURS
after signing in (a working day), whichever comes first."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

# Seconds since the epoch, as JSON keeps them.
SIGNED_IN_AT = "movement.signed_in_at"
LAST_SEEN_AT = "movement.last_seen_at"

# The last request's time is written at most once a minute: the session is saved (a database
# write) once a minute while someone works, not on every request, so the idle limit holds to
# the minute.
SEEN_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="movement.stamp_signed_in_session")
def stamp_signed_in_session(sender, request, user, **kwargs) -> None:
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionLimitsMiddleware:
    """Signs out a session left idle too long or open longer than a working day."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session:
            self.check_limits(request)
        return self.get_response(request)

    def check_limits(self, request) -> None:
        session = request.session
        if SIGNED_IN_AT not in session or LAST_SEEN_AT not in session:
            # Signed in before these limits existed: the session starts counting now.
            stamp_signed_in_session(None, request, None)
        now = timezone.now().timestamp()
        idle = now - session[LAST_SEEN_AT] > settings.SESSION_IDLE_MINUTES * 60
        too_long = now - session[SIGNED_IN_AT] > settings.SESSION_MAX_HOURS * 3600
        if idle:
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity.")
                % {"minutes": settings.SESSION_IDLE_MINUTES},
            )
        elif too_long:
            logout(request)
            messages.info(
                request,
                _("You were signed out: a session lasts at most %(hours)s hours.")
                % {"hours": settings.SESSION_MAX_HOURS},
            )
        elif now - session[LAST_SEEN_AT] > SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_AT] = now
