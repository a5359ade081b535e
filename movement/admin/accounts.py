"""Users with the unit they work in: a unit editor's bound is their profile's unit."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from movement.models import StaffProfile

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["unit"]


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = [*UserAdmin.list_display, "unit"]
    list_select_related = ["staff_profile__unit"]

    @admin.display(description=StaffProfile._meta.get_field("unit").verbose_name)
    def unit(self, user: User) -> str:
        profile = getattr(user, "staff_profile", None)
        return str(profile.unit) if profile else ""
