from django.core.management.base import BaseCommand, CommandError

from events.models import Summit
from livechat.attendance_totals import do_refold_summit


class Command(BaseCommand):
    help = (
        "Recompute a summit's folded attendance (watch time per session and person, people connected per second) "
        "from its intervals: after loading intervals in bulk, or to repair totals (safe to run any time)."
    )

    def add_arguments(self, parser):
        parser.add_argument("summit", help="the summit's slug")

    def handle(self, *args, **options):
        summit = Summit.objects.filter(slug=options["summit"]).first()
        if summit is None:
            raise CommandError(f"no summit {options['summit']!r}")
        do_refold_summit(summit.pk)
        self.stdout.write(f"refolded the attendance of {summit.slug}")
