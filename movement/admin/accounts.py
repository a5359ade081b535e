"""Users with the unit they work in: a unit editor's bound is their profile's unit. An
administrator gives a user who has forgotten their password a temporary one from here."""

from axes.utils import reset as reset_lockouts
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from movement.accounts.passwords import set_temporary_password
from movement.models import StaffProfile

from .mixins import YesNoColumnsMixin

User = get_user_model()


# Django stores a permission's name in English when it is created ("Can add award"), from the
# action in its codename: read the action instead, so the name is said in the reader's language.
ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission as the checklists show it: "… | khen thưởng | Có thể thêm khen thưởng"."""
    model = permission.content_type.model_class()
    if model is None:  # a model since removed: only its stored names remain
        return str(permission)
    subject = model._meta.verbose_name
    # simple-history names its models "historical <name>" in English whatever the language.
    if recorded := getattr(model, "instance_type", None):
        subject = gettext("history of %(model)s") % {"model": recorded._meta.verbose_name}
    action, _sep, model_name = permission.codename.partition("_")
    if action in ACTIONS and model_name == model._meta.model_name:
        name = ACTIONS[action] % {"model": subject}
    else:
        # A permission a model declares itself has a name that is one of our messages.
        name = gettext(permission.name)
    return " | ".join([str(model._meta.app_config.verbose_name), str(subject), name])


class PermissionLabels:
    """Admin mixin: permission checklists name each permission in the reader's language."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["unit"]


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class StaffGroupAdmin(PermissionLabels, GroupAdmin):
    pass


@admin.register(User)
class StaffUserAdmin(PermissionLabels, YesNoColumnsMixin, UserAdmin):
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
