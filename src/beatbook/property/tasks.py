from django_tasks import task


# services imports this module to enqueue, so the service is imported when the task runs.
@task()
def lost_owner_notify_task(*, report_id: int) -> int:
    from beatbook.property.services import lost_owner_notify

    return lost_owner_notify(report_id=report_id)


@task()
def custody_checkpoint_task() -> str:
    from beatbook.property.services import custody_checkpoint_if_due

    return custody_checkpoint_if_due()
