"""Webhook secrets are stored encrypted (notifications/encryption.py): the column becomes text (a
Fernet token is longer than the secret) and every secret already stored is encrypted in place."""

from django.db import migrations, models

import notifications.models


def encrypt_secrets(apps, schema_editor):
    from notifications.encryption import encrypt

    # Between the two AlterFields the historical field is plain text: the values read are the stored ones.
    WebhookEndpoint = apps.get_model("notifications", "WebhookEndpoint")
    for pk, secret in WebhookEndpoint.objects.values_list("pk", "secret").iterator():
        if secret:
            WebhookEndpoint.objects.filter(pk=pk).update(secret=encrypt(secret))


def decrypt_secrets(apps, schema_editor):
    from notifications.encryption import decrypt

    WebhookEndpoint = apps.get_model("notifications", "WebhookEndpoint")
    for pk, token in WebhookEndpoint.objects.values_list("pk", "secret").iterator():
        if token:
            WebhookEndpoint.objects.filter(pk=pk).update(secret=decrypt(token))


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=models.TextField(editable=False),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=notifications.models.EncryptedSecretField(editable=False),
        ),
    ]
