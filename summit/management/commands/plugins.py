"""`python manage.py plugins`: every plug-in point of the project and what is connected to it."""

from django.core.management.base import BaseCommand

from summit.plugins import plug_in_points


class Command(BaseCommand):
    help = "Lists every signal the project's apps declare (their signals.py) and the receivers connected to each."

    def handle(self, *args, **options):
        for name, kind, receivers in plug_in_points():
            self.stdout.write(f"{name} ({kind})")
            for receiver in receivers or ["(nothing connected)"]:
                self.stdout.write(f"    {receiver}")
