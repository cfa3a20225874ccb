"""On PostgreSQL the database itself refuses UPDATE, DELETE and TRUNCATE of custody events
(the function comes from core 0002)."""

from django.db import migrations

CREATE = """
CREATE TRIGGER property_custodyevent_append_only
    BEFORE UPDATE OR DELETE ON property_custodyevent
    FOR EACH ROW EXECUTE FUNCTION beatbook_refuse_change();
CREATE TRIGGER property_custodyevent_no_truncate
    BEFORE TRUNCATE ON property_custodyevent
    FOR EACH STATEMENT EXECUTE FUNCTION beatbook_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS property_custodyevent_no_truncate ON property_custodyevent;
DROP TRIGGER IF EXISTS property_custodyevent_append_only ON property_custodyevent;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("property", "0001_initial"), ("core", "0002_audit_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
