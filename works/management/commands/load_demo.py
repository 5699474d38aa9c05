from django.core.management.base import BaseCommand

from works.services import demo_data_load


class Command(BaseCommand):
    help = "Load the seed researcher and recorded OpenAlex data (no network). Safe to repeat."

    def handle(self, *args, **options):
        run = demo_data_load()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {run.message}"))
