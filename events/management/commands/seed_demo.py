import os

from django.core.management.base import BaseCommand

from events.demo import seed_demo
from events.models import Summit
from events.signals import demo_seeded


class Command(BaseCommand):
    help = "Creates the demo summit (idempotent). The organiser's password is DEMO_PASSWORD or printed once."

    def handle(self, *args, **options):
        summit, password = seed_demo(password=os.environ.get("DEMO_PASSWORD") or None)
        demo_seeded.send(Summit, summit=summit)
        self.stdout.write(f"Demo summit ready: /summits/{summit.slug}/")
        if password and not os.environ.get("DEMO_PASSWORD"):
            self.stdout.write(self.style.WARNING(f"Organiser sign-in: organiser / {password} (shown once)"))
