"""Example import VAT and duty rates and restricted destinations, for estimates only.

They are typical or top-band figures, not a tariff schedule: admins keep them current in the admin."""
from decimal import Decimal

from django.db import migrations

ESTIMATE = "Example rate for landed-cost estimates."

VAT = [
    ("TR", "20", "KDV standard rate."),
    ("DE", "19", "Standard import VAT."),
    ("FR", "20", "Standard import VAT."),
    ("GB", "20", "Standard import VAT."),
    ("CN", "13", "Standard import VAT."),
    ("KE", "16", "Standard VAT."),
    ("BR", "17", "Approximation of ICMS; the real import taxes depend on the state and the product."),
    ("US", "0", "No federal VAT; state sales taxes are not included."),
    ("AE", "5", "Standard VAT."),
    ("NG", "7.5", "Standard VAT."),
    ("EG", "14", "Standard VAT."),
]

# (country, chapter or "" for the country's default, rate, note)
DUTY = [
    ("TR", "", "8", ESTIMATE),
    ("DE", "", "4", "EU Common Customs Tariff, typical rate."),
    ("FR", "", "4", "EU Common Customs Tariff, typical rate."),
    ("GB", "", "4", "UK Global Tariff, typical rate."),
    ("CN", "", "7", ESTIMATE),
    ("KE", "", "25", "EAC Common External Tariff, finished goods band."),
    ("BR", "", "14", "Mercosur Common External Tariff, typical rate."),
    ("US", "", "3", ESTIMATE),
    ("AE", "", "5", "GCC common customs tariff."),
    ("NG", "", "20", "ECOWAS Common External Tariff, finished goods band."),
    ("EG", "", "10", ESTIMATE),
    # Knitted and woven apparel, other made-up textiles.
    ("TR", "61", "12", ESTIMATE), ("TR", "62", "12", ESTIMATE), ("TR", "63", "12", ESTIMATE),
    ("DE", "61", "12", ESTIMATE), ("DE", "62", "12", ESTIMATE), ("DE", "63", "12", ESTIMATE),
    ("FR", "61", "12", ESTIMATE), ("FR", "62", "12", ESTIMATE), ("FR", "63", "12", ESTIMATE),
    ("GB", "61", "12", ESTIMATE), ("GB", "62", "12", ESTIMATE), ("GB", "63", "12", ESTIMATE),
    ("US", "61", "16", ESTIMATE), ("US", "62", "16", ESTIMATE), ("US", "63", "7", ESTIMATE),
    ("BR", "61", "35", ESTIMATE), ("BR", "62", "35", ESTIMATE), ("BR", "63", "35", ESTIMATE),
    ("KE", "61", "35", "EAC Common External Tariff, 35% band."),
    ("KE", "62", "35", "EAC Common External Tariff, 35% band."),
    ("KE", "63", "35", "EAC Common External Tariff, 35% band."),
    # Coffee, tea and spices.
    ("DE", "09", "0", ESTIMATE), ("FR", "09", "0", ESTIMATE), ("GB", "09", "0", ESTIMATE),
    ("US", "09", "0", ESTIMATE), ("CN", "09", "15", ESTIMATE), ("TR", "09", "20", ESTIMATE),
    # Electrical machinery and electronics.
    ("DE", "85", "2", ESTIMATE), ("FR", "85", "2", ESTIMATE), ("GB", "85", "2", ESTIMATE),
    ("US", "85", "1", ESTIMATE), ("CN", "85", "5", ESTIMATE), ("TR", "85", "3", ESTIMATE),
    ("BR", "85", "12", ESTIMATE), ("KE", "85", "10", ESTIMATE),
]

RESTRICTED = [
    ("KP", "", "UN Security Council sanctions restrict trade with North Korea."),
    ("IR", "93", "Arms and ammunition (HS chapter 93) are under an arms embargo."),
    ("SY", "", "Sanctioned destination: trade with Syria is restricted."),
    ("RU", "8471", "Computers (HS 8471) are under export restrictions to Russia, e.g. EU Regulation 833/2014."),
]


def load(apps, schema_editor):
    VatRate = apps.get_model("trade", "VatRate")
    DutyRate = apps.get_model("trade", "DutyRate")
    RestrictedDestination = apps.get_model("trade", "RestrictedDestination")
    for country, rate, note in VAT:
        VatRate.objects.get_or_create(country=country, defaults={"rate_percent": Decimal(rate), "note": note})
    for country, chapter, rate, note in DUTY:
        DutyRate.objects.get_or_create(destination_country=country, hs_chapter=chapter,
                                       defaults={"rate_percent": Decimal(rate), "note": note})
    for country, prefix, reason in RESTRICTED:
        RestrictedDestination.objects.get_or_create(country=country, hs_prefix=prefix, defaults={"reason": reason})


def unload(apps, schema_editor):
    VatRate = apps.get_model("trade", "VatRate")
    DutyRate = apps.get_model("trade", "DutyRate")
    RestrictedDestination = apps.get_model("trade", "RestrictedDestination")
    VatRate.objects.filter(country__in=[c for c, _r, _n in VAT]).delete()
    for country, chapter, _rate, _note in DUTY:
        DutyRate.objects.filter(destination_country=country, hs_chapter=chapter).delete()
    for country, prefix, _reason in RESTRICTED:
        RestrictedDestination.objects.filter(country=country, hs_prefix=prefix).delete()


class Migration(migrations.Migration):
    dependencies = [("trade", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
