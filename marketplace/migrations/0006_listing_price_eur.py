from django.db import migrations, models

from marketplace.prices import fill_price_eur


def fill_existing_listings(apps, schema_editor):
    """Converts the lowest price of every listing to EUR at each currency's latest stored rate."""
    FxRate = apps.get_model("fx", "FxRate")
    Listing = apps.get_model("marketplace", "Listing")
    rates = {}
    for currency, rate in FxRate.objects.order_by("currency", "date").values_list("currency", "rate"):
        rates[currency] = rate  # ordered by date: the latest rate of each currency is kept
    fill_price_eur(Listing.objects.all(), rates)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_moderators_group'),
        ('fx', '0002_shipped_rates'),
        ('marketplace', '0005_listing_published_category_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='listing',
            name='price_eur',
            field=models.DecimalField(decimal_places=8, editable=False, max_digits=22, null=True, verbose_name='lowest unit price in EUR'),
        ),
        migrations.RunPython(fill_existing_listings, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(condition=models.Q(('status', 'published')), fields=['price_eur'], include=('seller',), name='listing_published_price_idx'),
        ),
    ]
