from django.db import migrations

from beatbook.calls.call_types import PUBLIC_DETAILS, call_type_details_seed


def seed(apps, schema_editor):
    call_type_details_seed(apps.get_model("calls", "CallType"),
                           apps.get_model("calls", "CallTypeQuestion"))


def unseed(apps, schema_editor):
    apps.get_model("calls", "CallTypeQuestion").objects.all().delete()
    apps.get_model("calls", "CallType").objects.filter(code__in=PUBLIC_DETAILS).update(
        name_es="", description="", description_es="", group="", keywords="")


class Migration(migrations.Migration):
    dependencies = [("calls", "0003_public_side")]
    operations = [migrations.RunPython(seed, unseed)]
