from django.core.management.base import BaseCommand

from livechat.services import close_stale_attendance


class Command(BaseCommand):
    help = "Close attendance intervals left open by a web process that died (safe to run any time)."

    def handle(self, *args, **options):
        closed = close_stale_attendance()
        self.stdout.write(f"closed {closed} stale attendance interval(s)")
