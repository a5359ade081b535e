from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class MovementConfig(AppConfig):
    # phong trào thi đua: emulation movement
    name = "movement"
    # The app's own config, among the others this module holds.
    default = True
    verbose_name = _("Emulation and commendation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The lookup ``in_array``, registered on every field; the sign-in receivers: the
        # session's clock, the temporary password's flag.
        from movement import lookups  # noqa: F401
        from movement.accounts import passwords, sessions  # noqa: F401


# Installed packages name their apps in English, untranslated: staff read these headings in the
# admin's side bar, so the project names them (INSTALLED_APPS lists these configs).
class LoginProtectionConfig(AxesAppConfig):
    verbose_name = _("Login protection")


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")


# Words the admin shows from Django and from those packages that their Vietnamese catalogues
# lack. Named here so that makemessages keeps their translations in the project's catalogue,
# which Django reads before theirs.
BORROWED_WORDS = (
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)
