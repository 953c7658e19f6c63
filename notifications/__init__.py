"""Notifications: e-mail, in-app and company webhooks through a transactional outbox.

Call notify() inside the transaction that makes the change; register new events in
notifications/events.py (or with events.register() from another app's AppConfig.ready()):

    from notifications.services import notify

    with transaction.atomic():
        order.save()
        notify(event="order.placed", company=order.seller, context={"order_id": order.pk, "number": order.number})
"""
