import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.attendees import do_make_attendees
from events.services import access_summit
from summit.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Creates COUNT registered, signed-in attendees of a summit for load tests and writes one JSON line "
        'per attendee {"id", "email", "sessionid"} to FILE. Refuses when DEBUG is off unless --force.'
    )

    def add_arguments(self, parser):
        parser.add_argument("summit_slug")
        parser.add_argument("count", type=int)
        parser.add_argument("--out", required=True, help="file to write the attendees to, one JSON line each")
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args, summit_slug, count, out, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this may be a production database. make_attendees creates signed-in accounts; "
                "pass --force if you really mean it."
            )
        try:
            summit = access_summit(summit_slug)
            attendees = do_make_attendees(summit, count)
        except ServiceError as error:
            raise CommandError(error.detail) from None
        with open(out, "w", encoding="utf-8") as file:
            for attendee in attendees:
                file.write(json.dumps(attendee) + "\n")
        self.stdout.write(f"{len(attendees)} attendees of {summit.slug} written to {out}")
