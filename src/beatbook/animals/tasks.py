from django_tasks import task


# services imports this module to enqueue, so the service is imported when the task runs.
@task()
def owner_notice_task(*, case_id: int) -> int:
    from beatbook.animals.services import owner_notice_send

    return owner_notice_send(case_id=case_id)


@task()
def quarantine_reminder_task(*, bite_id: int) -> int:
    from beatbook.animals.services import quarantine_reminders_send

    return quarantine_reminders_send(bite_ids=[bite_id])
