"""Background tasks (django-tasks, database backend): thin wrappers around `services`, run by `vigil worker`."""

from django_tasks import task

from .services import deliveries_due_send, delivery_send


@task()
def delivery_send_task(delivery_id: int) -> str:
    return delivery_send(delivery_id=delivery_id)


@task()
def deliveries_due_task() -> dict:
    return deliveries_due_send()
