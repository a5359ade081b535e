"""The installed packages' own admin pages, with the column names they leave untranslated
and the date hierarchy's year checked."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .dates import DateHierarchyMixin


class LoginAttemptAdmin(DateHierarchyMixin, AccessAttemptAdmin):
    @admin.display(description=_("Status"))
    def status(self, obj: AccessAttempt) -> str:
        return super().status(obj)


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("id", "name", *DBTaskResultAdmin.list_display[2:])

    @admin.display(description=_("task"), ordering="task_path")
    def name(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult) -> object:
        return super().display_run_after(obj)


# Their date hierarchies take the checked year (movement.admin.dates).
class LoginLogAdmin(DateHierarchyMixin, AccessLogAdmin):
    pass


class LoginFailureLogAdmin(DateHierarchyMixin, AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (AccessAttempt, LoginAttemptAdmin),
    (AccessLog, LoginLogAdmin),
    (AccessFailureLog, LoginFailureLogAdmin),
    (DBTaskResult, TaskResultAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
