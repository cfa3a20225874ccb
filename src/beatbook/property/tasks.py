from django_tasks import task


# services imports this module to enqueue, so the service is imported when the task runs.
@task()
def lost_owner_notify_task(*, report_id: int) -> int:
    from beatbook.property.services import lost_owner_notify

    return lost_owner_notify(report_id=report_id)
