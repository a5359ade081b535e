"""The database refuses an award whose type does not accept its kind of recipient.

The rule spans two tables (the award's recipient, its type's for_individuals/for_collectives), so a
CHECK constraint cannot hold it; a trigger on each supported database does. Model.clean() says
the same thing in the user's language before the database has to.
"""

from django.db import migrations

MESSAGE = "award type does not accept this kind of recipient"

# The award's recipient kind: a person is an individual, a unit a collective, a group says itself.
SQLITE_CONDITION = """
    (NEW.recipient_person_id IS NOT NULL
        OR (NEW.group_count IS NOT NULL AND NEW.group_kind = 'individual'))
    AND NOT (SELECT for_individuals FROM movement_awardtype WHERE id = NEW.award_type_id)
    OR
    (NEW.recipient_unit_id IS NOT NULL
        OR (NEW.group_count IS NOT NULL AND NEW.group_kind = 'collective'))
    AND NOT (SELECT for_collectives FROM movement_awardtype WHERE id = NEW.award_type_id)
"""

SQLITE_TYPE_CONDITION = """
    (NOT NEW.for_individuals AND EXISTS (
        SELECT 1 FROM movement_award WHERE award_type_id = NEW.id
        AND (recipient_person_id IS NOT NULL OR group_kind = 'individual')))
    OR (NOT NEW.for_collectives AND EXISTS (
        SELECT 1 FROM movement_award WHERE award_type_id = NEW.id
        AND (recipient_unit_id IS NOT NULL OR group_kind = 'collective')))
"""

# "CHECK constraint failed" makes Django's SQLite backend raise IntegrityError, as for a CHECK.
SQLITE_FORWARD = [
    *(
        f"""
        CREATE TRIGGER movement_award_recipient_kind_{event}
        BEFORE {event} ON movement_award
        FOR EACH ROW WHEN {SQLITE_CONDITION}
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {MESSAGE}'); END;
        """
        for event in ("insert", "update")
    ),
    f"""
    CREATE TRIGGER movement_awardtype_recipient_kind
    BEFORE UPDATE OF for_individuals, for_collectives ON movement_awardtype
    FOR EACH ROW WHEN {SQLITE_TYPE_CONDITION}
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {MESSAGE}'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS movement_award_recipient_kind_insert;",
    "DROP TRIGGER IF EXISTS movement_award_recipient_kind_update;",
    "DROP TRIGGER IF EXISTS movement_awardtype_recipient_kind;",
]

# Only constants of this file are interpolated into the SQL below.
POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION movement_award_check_recipient_kind() RETURNS trigger AS $$
    DECLARE
        to_individuals boolean;
        to_collectives boolean;
    BEGIN
        SELECT for_individuals, for_collectives INTO to_individuals, to_collectives
        FROM movement_awardtype WHERE id = NEW.award_type_id;
        IF (NEW.recipient_person_id IS NOT NULL
                OR (NEW.group_count IS NOT NULL AND NEW.group_kind = 'individual'))
            AND NOT to_individuals
        OR (NEW.recipient_unit_id IS NOT NULL
                OR (NEW.group_count IS NOT NULL AND NEW.group_kind = 'collective'))
            AND NOT to_collectives
        THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER movement_award_recipient_kind
    BEFORE INSERT OR UPDATE ON movement_award
    FOR EACH ROW EXECUTE FUNCTION movement_award_check_recipient_kind();
    """,
    f"""
    CREATE FUNCTION movement_awardtype_check_recipient_kind() RETURNS trigger AS $$
    BEGIN
        IF {SQLITE_TYPE_CONDITION}
        THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER movement_awardtype_recipient_kind
    BEFORE UPDATE OF for_individuals, for_collectives ON movement_awardtype
    FOR EACH ROW EXECUTE FUNCTION movement_awardtype_check_recipient_kind();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS movement_awardtype_recipient_kind ON movement_awardtype;",
    "DROP FUNCTION IF EXISTS movement_awardtype_check_recipient_kind();",
    "DROP TRIGGER IF EXISTS movement_award_recipient_kind ON movement_award;",
    "DROP FUNCTION IF EXISTS movement_award_check_recipient_kind();",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def run(direction: int):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in STATEMENTS:
            raise NotImplementedError(f"No recipient-kind trigger for the {vendor} database.")
        for statement in STATEMENTS[vendor][direction]:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("movement", "0001_initial")]

    operations = [migrations.RunPython(run(0), run(1))]
