from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """When something that must keep running last showed it did: a worker running the heartbeat
    task ("worker" for any worker, "worker:<node name>" for each one), beat sending it ("beat").
    /readyz, `manage.py worker_alive` and the metrics read these rows (core/health.py)."""

    key = models.CharField(primary_key=True, max_length=200)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} at {self.at.isoformat()}"


class UnsentTask(models.Model):
    """A task a request queued after its commit while the broker was away (core/queue.py). Beat's
    `core.unsent_tasks_resend` publishes it again once the broker answers and then deletes the row,
    so nothing queued from the web tier is lost to a broker outage; every task may run twice."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task} (since {self.created_at:%Y-%m-%d %H:%M:%S})"
