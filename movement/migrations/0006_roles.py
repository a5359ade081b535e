"""The four roles as groups with their permissions (names are the department's own words).

- Quản trị (administrator): every permission, including users, groups and the history itself.
- Cán bộ thi đua (emulation officer): creates, edits and deletes every record, in every unit.
- Cán bộ đơn vị (unit editor): reads everything; creates, edits and deletes awards, tasks and
  people, only those of their own unit's subtree (movement.permissions applies that bound).
- Xem (viewer): reads everything, changes nothing.

Import needs the change permission and export the view permission (settings.py). Only
administrators may change or delete history rows. A later migration that adds a model grants its
permissions the same way; tests/test_permissions.py checks that every model is covered.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATORS = "Quản trị"
EMULATION_OFFICERS = "Cán bộ thi đua"
UNIT_EDITORS = "Cán bộ đơn vị"
VIEWERS = "Xem"

RECORDS = [
    "source",
    "unit",
    "rank",
    "person",
    "event",
    "participation",
    "campaign",
    "awardtype",
    "award",
    "workplan",
    "workarea",
    "task",
]
HISTORIES = [f"historical{model}" for model in RECORDS] + [
    "historicaltask_assigned_units",
    "historicaltask_coordinating_units",
]
UNIT_RECORDS = ["award", "task", "person"]


def codenames(actions: list[str], models: list[str]) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in models]


ROLES = {
    EMULATION_OFFICERS: [
        *codenames(["add", "change", "delete", "view"], RECORDS),
        *codenames(["view"], HISTORIES),
        "edit_every_unit",
    ],
    UNIT_EDITORS: [
        *codenames(["view"], RECORDS + HISTORIES),
        *codenames(["add", "change", "delete"], UNIT_RECORDS),
    ],
    VIEWERS: codenames(["view"], RECORDS + HISTORIES),
}


def add_roles(apps, schema_editor):
    # Permissions are normally created after the last migration; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    administrators, _ = Group.objects.get_or_create(name=ADMINISTRATORS)
    administrators.permissions.set(Permission.objects.all())
    for name, granted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="movement", codename__in=granted
        )
        missing = set(granted) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"Unknown permissions for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    names = [ADMINISTRATORS, *ROLES]
    apps.get_model("auth", "Group").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0005_history_and_staff_profile"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(add_roles, remove_roles)]
