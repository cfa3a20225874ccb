from django.db import migrations

from beatbook.calls.call_types import SEED_CALL_TYPES


def seed(apps, schema_editor):
    CallType = apps.get_model("calls", "CallType")
    for code, name, apco, priority, target, responder, division, public in SEED_CALL_TYPES:
        CallType.objects.update_or_create(code=code, defaults={
            "name": name, "apco_code": apco, "priority": priority, "target_minutes": target,
            "responder": responder, "referral_division": division, "is_public": public})


def unseed(apps, schema_editor):
    CallType = apps.get_model("calls", "CallType")
    CallType.objects.filter(code__in=[row[0] for row in SEED_CALL_TYPES],
                            calls__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
