"""Temporary passwords: an administrator sets one (no e-mail on a closed network), and its user
changes it at the next sign-in before reaching any other page."""

from django.contrib import messages
from django.contrib.auth.hashers import check_password
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from movement.models import TemporaryPassword

# Set in the session at sign-in, so that only a flagged session costs a query per request.
MUST_CHANGE = "movement.must_change_password"

# Letters and digits nobody confuses when read out over the phone (no 0/o, 1/l/i).
READABLE = "abcdefghjkmnpqrstuvwxyz23456789"

# What a flagged user may still open: the password change itself, and the way out.
ALLOWED_VIEWS = {
    "admin:password_change",
    "admin:password_change_done",
    "admin:logout",
    "admin:jsi18n",
    "set_language",
}


def set_temporary_password(user, set_by) -> str:
    """Give ``user`` a new random password, to be changed at their next sign-in; return it."""
    password = "-".join(get_random_string(4, READABLE) for _group in range(3))
    user.set_password(password)
    user.save(update_fields=["password"])
    TemporaryPassword.objects.update_or_create(user=user, defaults={"set_by": set_by})
    return password


class TemporaryPasswordValidator:
    """In AUTH_PASSWORD_VALIDATORS: refuses the temporary password as the new one, and, through
    Django's ``password_changed`` hook, which every way of changing a password calls, ends it."""

    def validate(self, password: str, user=None) -> None:
        if (
            user is not None
            and TemporaryPassword.objects.filter(user_id=user.pk).exists()
            and check_password(password, user.password)
        ):
            raise ValidationError(
                _("Choose a password of your own, not the temporary one."),
                code="password_is_temporary",
            )

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            TemporaryPassword.objects.filter(user_id=user.pk).delete()

    def get_help_text(self) -> str:
        return _("Your password can’t be the temporary one an administrator gave you.")


@receiver(user_logged_in, dispatch_uid="movement.flag_temporary_password")
def flag_temporary_password(sender, request, user, **kwargs) -> None:
    if TemporaryPassword.objects.filter(user_id=user.pk).exists():
        request.session[MUST_CHANGE] = True


class TemporaryPasswordMiddleware:
    """Sends a user signed in with a temporary password to the password change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.session.get(MUST_CHANGE):
            return None
        if not TemporaryPassword.objects.filter(user_id=request.user.pk).exists():
            del request.session[MUST_CHANGE]
            return None
        if request.resolver_match.view_name in ALLOWED_VIEWS:
            return None
        messages.warning(
            request,
            _(
                "You signed in with a temporary password an administrator set. Choose a "
                "password of your own to continue."
            ),
        )
        return redirect("admin:password_change")
