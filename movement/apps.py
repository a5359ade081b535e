from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MovementConfig(AppConfig):
    # phong trào thi đua: emulation movement
    name = "movement"
    verbose_name = _("Emulation and commendation")
    default_auto_field = "django.db.models.BigAutoField"
