"""How a delivery reaches its recipient, one module per channel. A channel's `send(delivery)`
returns when the message is handed over, raises DeliverySkipped when there is nothing to send any
more, and SendFailed when the attempt failed (retried later unless it is permanent)."""
from __future__ import annotations

from ..events import DeliverySkipped
from ..models import Channel, Delivery


class SendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def send(delivery: Delivery) -> None:
    from . import email, webhook

    if delivery.channel == Channel.EMAIL:
        email.send(delivery)
    elif delivery.channel == Channel.WEBHOOK:
        webhook.send(delivery)
    else:  # an in-app delivery is delivered by being committed
        raise DeliverySkipped(f"nothing to send on the {delivery.channel} channel")


__all__ = ["DeliverySkipped", "SendFailed", "send"]
