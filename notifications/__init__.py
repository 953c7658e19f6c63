"""Notifications: e-mail, in-app and company webhooks through a transactional outbox.

Call notify() inside the transaction that makes the change; each app registers its own events with
events.register() in its events.py, imported from its AppConfig.ready():

    from notifications.services import notify

    with transaction.atomic():
        order.save()
        notify(event="order.placed", company=order.seller, context={"order_id": order.pk, "number": order.number})
"""
