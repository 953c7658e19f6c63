"""Fetches the ECB reference rates now, with the service the daily beat task (fx.tasks.fx_rates_fetch)
calls, and says how fresh the stored rates are afterwards. Safe to run again: a day already stored is
stored again with the same values. Exits with status 1 when nothing could be fetched."""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fx import selectors, services


class Command(BaseCommand):
    help = "Fetches the ECB exchange rates now (what the daily beat task does) and reports their freshness."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=None,
                            help="Read the feed from this address instead of FX_ECB_URL (https, http or file).")

    def handle(self, *args, url=None, **options):
        if not settings.FX_FETCH_ENABLED:
            raise CommandError("Fetching exchange rates is switched off (FX_FETCH_ENABLED=false); "
                               "the stored rates stay in use.")
        newest = services.fx_rates_fetch(url=url)
        freshness = selectors.fx_freshness()
        if newest is None:
            raise CommandError(f"The ECB exchange rates could not be fetched (see the warning above); the stored "
                               f"rates stay in use. {self._describe(freshness)}")
        self.stdout.write(self.style.SUCCESS(f"Stored the ECB exchange rates of {newest.isoformat()}. "
                                             f"{self._describe(freshness)}"))

    @staticmethod
    def _describe(freshness: selectors.FxFreshness) -> str:
        if freshness.as_of is None:
            return "No exchange rate is stored."
        state = "stale" if freshness.stale else "fresh"
        return (f"The newest stored rate is of {freshness.as_of.isoformat()}, {freshness.age_days} day(s) old: "
                f"{state} (stale after {freshness.stale_after_days} days).")
