from django_tasks import task


# services imports this module to enqueue, so the service is imported when the task runs.
@task()
def alert_notify_task(*, alert_id: int) -> int:
    from beatbook.alerts.services import alert_subscribers_notify

    return alert_subscribers_notify(alert_id=alert_id)


@task()
def subscription_confirm_send_task(*, subscription_id: int) -> int:
    from beatbook.alerts.services import subscription_confirm_send

    return subscription_confirm_send(subscription_id=subscription_id)
