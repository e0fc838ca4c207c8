import os

from django.core.management.base import BaseCommand

from events.demo import seed_demo
from events.models import Summit
from events.signals import demo_seeded


class Command(BaseCommand):
    help = (
        "Creates what is missing of the demo summit (idempotent). The organiser's password is DEMO_PASSWORD "
        "or generated and printed once, when the account is created; --reset-password sets it again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Set the organiser's password again (DEMO_PASSWORD, else a new one, printed).",
        )

    def handle(self, *args, **options):
        from_env = os.environ.get("DEMO_PASSWORD") or None
        summit, password = seed_demo(password=from_env, reset_password=options["reset_password"])
        demo_seeded.send(Summit, summit=summit)
        self.stdout.write(f"Demo summit ready: /summits/{summit.slug}/")
        if password and not from_env:
            self.stdout.write(self.style.WARNING(f"Organiser sign-in: organiser / {password} (shown once)"))
        elif password:
            self.stdout.write("Organiser password set from DEMO_PASSWORD.")
