"""Runs coturn for meeting calls with this platform's settings (scripts/run starts it when installed)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from calls.turn import turnserver_args, turnserver_path


class Command(BaseCommand):
    help = "Run the TURN server (coturn) with TURN_PORT and TURN_SECRET; --check only says whether it is installed."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit 0 when coturn is installed, 1 otherwise")
        parser.add_argument("--listen", default="0.0.0.0", help="address to listen on (default all)")

    def handle(self, *args, check=False, listen="0.0.0.0", **options):
        if turnserver_path() is None:
            raise CommandError("coturn is not installed (sudo apt-get install coturn)")
        if check:
            return
        argv = turnserver_args(
            port=settings.TURN_PORT,
            secret=settings.TURN_SECRET,
            realm=settings.TURN_HOST,
            relay_ports=settings.TURN_RELAY_PORTS,
            listen=listen,
        )
        os.execv(argv[0], argv)
