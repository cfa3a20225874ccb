"""Event feedback answered in Spanish before the label was fixed (bfb85f4) was stored under
"Evento: Feria de seguridad" and the like, a program of its own in analytics: relabel it."""

from django.db import migrations

from beatbook.outreach.choices import event_feedback_program


def relabel(apps, schema_editor):
    Feedback = apps.get_model("outreach", "Feedback")
    answers = Feedback.objects.filter(registration__isnull=False).select_related(
        "registration__event"
    )
    wrong = []
    for answer in answers.iterator(chunk_size=2000):
        program = event_feedback_program(answer.registration.event.kind)
        if answer.program != program:
            answer.program = program
            wrong.append(answer)
    Feedback.objects.bulk_update(wrong, ["program"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_registration_feedback_invited_at_feedback")]
    # Backwards there is nothing to undo: the English label is right in either direction.
    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
