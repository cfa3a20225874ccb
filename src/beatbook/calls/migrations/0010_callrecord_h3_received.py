"""The calls near a place (a mediation's address, an outreach event) are looked up by the H3
cells around it over a span of dates: the cell's index gets the date as its second column.
The new index is built before the old one goes, so hot spots never lose theirs."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("calls", "0009_open_type_time_index"), ("places", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="callrecord",
            index=models.Index(fields=["h3_cell", "received_at"], name="callrecord_h3_received"),
        ),
        migrations.RemoveIndex(model_name="callrecord", name="callrecord_h3"),
    ]
