import os

from django.core.management.base import BaseCommand

from events.demo import seed_demo
from judging.demo import seed_judging
from partnering.demo import seed_partnering
from scheduler.demo import seed_scheduler_demo


class Command(BaseCommand):
    help = "Creates the demo summit (idempotent). The organiser's password is DEMO_PASSWORD or printed once."

    def handle(self, *args, **options):
        summit, password = seed_demo(password=os.environ.get("DEMO_PASSWORD") or None)
        seed_partnering(summit)
        seed_scheduler_demo(summit)
        seed_judging(summit)
        self.stdout.write(f"Demo summit ready: /summits/{summit.slug}/")
        if password and not os.environ.get("DEMO_PASSWORD"):
            self.stdout.write(self.style.WARNING(f"Organiser sign-in: organiser / {password} (shown once)"))
