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
