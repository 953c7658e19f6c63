import django.db.models.deletion
from django.db import migrations, models

from core.names import name_skeleton


def fill_name_skeletons(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    for company in Company.objects.only("pk", "legal_name").iterator():
        Company.objects.filter(pk=company.pk).update(name_skeleton=name_skeleton(company.legal_name))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_moderators_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="pending_changes",
            field=models.JSONField(blank=True, editable=False, null=True,
                                   verbose_name="identity changes waiting for review"),
        ),
        migrations.AddField(
            model_name="company",
            name="pending_changes_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="identity changes submitted at"),
        ),
        migrations.AddField(
            model_name="company",
            name="name_skeleton",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="company",
            name="confusable_with",
            field=models.ForeignKey(blank=True, editable=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                    to="accounts.company", verbose_name="name confusable with"),
        ),
        migrations.AddField(
            model_name="verificationdecision",
            name="identity_changes",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="verificationdecision",
            name="applied_changes",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.RunPython(fill_name_skeletons, migrations.RunPython.noop),
    ]
