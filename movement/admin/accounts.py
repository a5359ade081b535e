"""Users with the unit they work in: a unit editor's bound is their profile's unit. An
administrator gives a user who has forgotten their password a temporary one from here."""

from axes.utils import reset as reset_lockouts
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from movement.accounts.passwords import set_temporary_password
from movement.models import StaffProfile

from .mixins import YesNoColumnsMixin

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["unit"]


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(YesNoColumnsMixin, UserAdmin):
    inlines = [StaffProfileInline]
    list_display = [*UserAdmin.list_display, "unit"]
    list_select_related = ["staff_profile__unit"]
    actions = ["give_temporary_password"]

    @admin.display(description=StaffProfile._meta.get_field("unit").verbose_name)
    def unit(self, user: User) -> str:
        profile = getattr(user, "staff_profile", None)
        return str(profile.unit) if profile else ""

    @admin.action(description=_("Set a temporary password"), permissions=["change"])
    def give_temporary_password(self, request, queryset):
        """Ask first; then set each selected user a temporary password, lift their login
        lockouts, and show the passwords once."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set a temporary password"),
            "opts": self.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "users": queryset,
        }
        if request.POST.get("post"):
            passwords = []
            for user in queryset:
                passwords.append((user, set_temporary_password(user, set_by=request.user)))
                reset_lockouts(username=user.get_username())
                self.log_change(request, user, gettext("Set a temporary password."))
            context["passwords"] = passwords
        # The changelist, which runs actions, is never cached: nor is this page.
        return TemplateResponse(request, "admin/auth/user/temporary_password.html", context)
