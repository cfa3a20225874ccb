"""Background work for calls: ids in, a service call, nothing else."""

from django_tasks import task


# services imports this module to enqueue, so the service is imported when the task runs.
@task()
def call_status_notify_task(*, call_id: int, status: str) -> int:
    from beatbook.calls.services import call_status_notify

    return call_status_notify(call_id=call_id, status=status)


@task()
def calls_import_task(*, run_id: int) -> int:
    """An uploaded calls file's import (calls.importing.uploads)."""
    from beatbook.calls.importing.uploads import import_upload_run

    return import_upload_run(run_id=run_id).rows_imported


@task()
def calls_import_remove_task(*, run_id: int) -> int:
    """A mistaken import's rows taken out again (calls.importing.removal)."""
    from beatbook.calls.importing.removal import import_remove_run

    return import_remove_run(run_id=run_id).rows_removed


@task()
def calls_coverage_count_task(*, source: str) -> int:
    """What a source's mapping left, counted again after an import or removal."""
    from beatbook.calls.importing.coverage import coverage_count

    return coverage_count(source).rows


@task()
def calls_code_correction_task(*, correction_id: int) -> int | None:
    """A code corrected on the imports page, applied to the source's rows."""
    from beatbook.calls.importing.corrections import code_correction_apply

    return code_correction_apply(correction_id=correction_id).rows_updated
