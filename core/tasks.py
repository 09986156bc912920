from celery import shared_task


@shared_task
def ping(value: str) -> str:
    """Round trip through the broker and a worker (used by health checks and tests)."""
    return f"pong:{value}"
