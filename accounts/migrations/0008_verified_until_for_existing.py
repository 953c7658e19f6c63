"""Companies verified before verifications expired (on numbers nobody checked) get a deadline: their
verification lasts VERIFICATION_VALID_DAYS from this migration, so they renew with evidence like
everyone else. Suspended companies get the same date, kept when they are reinstated."""
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def verified_until_set(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    until = timezone.now() + timedelta(days=settings.VERIFICATION_VALID_DAYS)
    Company.objects.filter(verification_status__in=["verified", "suspended"], verified_until__isnull=True).update(
        verified_until=until)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0007_verification_evidence"),
    ]

    operations = [
        migrations.RunPython(verified_until_set, migrations.RunPython.noop),
    ]
