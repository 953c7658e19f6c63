from django.db import migrations


def load_rates(apps, schema_editor):
    from fx.shipped import load_shipped_rates

    load_shipped_rates(apps.get_model("fx", "FxRate"))


class Migration(migrations.Migration):
    dependencies = [("fx", "0001_initial")]
    operations = [migrations.RunPython(load_rates, migrations.RunPython.noop)]
