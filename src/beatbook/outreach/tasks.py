from django_tasks import task


# services imports this module to enqueue, so the service is imported when the task runs.
@task()
def registration_notify_task(*, registration_id: int, what: str) -> int:
    from beatbook.outreach.services import registration_notify_send

    return registration_notify_send(registration_id=registration_id, what=what)
