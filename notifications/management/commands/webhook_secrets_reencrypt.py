"""Re-encrypts every stored webhook secret under the first key of WEBHOOK_SECRET_KEYS, so that an
older key can then be removed from the list."""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from notifications.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Re-encrypt webhook secrets with the first key of WEBHOOK_SECRET_KEYS."

    def handle(self, *args, **options) -> None:
        done = 0
        for pk in list(WebhookEndpoint.objects.order_by("pk").values_list("pk", flat=True)):
            with transaction.atomic():
                # Read with any key of the list, written under the first one.
                endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=pk).only("pk", "secret").first()
                if endpoint is not None and endpoint.secret:
                    endpoint.save(update_fields=["secret"])
                    done += 1
        self.stdout.write(f"Re-encrypted {done} webhook secret(s).")
