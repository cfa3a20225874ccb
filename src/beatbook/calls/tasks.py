"""Background work for calls: ids in, a service call, nothing else."""

from django_tasks import task


# services imports this module to enqueue, so the service is imported when the task runs.
@task()
def call_status_notify_task(*, call_id: int, status: str) -> int:
    from beatbook.calls.services import call_status_notify

    return call_status_notify(call_id=call_id, status=status)
