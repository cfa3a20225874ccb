from django.db import migrations

from beatbook.calls.call_types import SEED_CALL_TYPES, call_types_seed


def seed(apps, schema_editor):
    call_types_seed(apps.get_model("calls", "CallType"))


def unseed(apps, schema_editor):
    CallType = apps.get_model("calls", "CallType")
    CallType.objects.filter(code__in=[row[0] for row in SEED_CALL_TYPES],
                            calls__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
