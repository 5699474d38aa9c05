from django.conf import settings
from django.core.management.base import BaseCommand

from profiles.services.demo_accounts import DEMO_PASSWORD, demo_accounts_load
from works.services import demo_data_load


class Command(BaseCommand):
    help = (
        "Load the seed researcher and recorded OpenAlex data (no network); with DEBUG on, also "
        "the demo accounts (README). Safe to repeat."
    )

    def handle(self, *args, **options):
        run = demo_data_load()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {run.message}"))
        # The accounts' password is published, so only a debug site has them (lives in profiles,
        # as claims sit above works).
        if not settings.DEBUG:
            return
        accounts = demo_accounts_load()
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}, DEBUG only):")
        for account in accounts:
            held = f", holds /researchers/{account.record_slug}/" if account.record_slug else ""
            self.stdout.write(f"  {account.role:<10} {account.email}{held}")
