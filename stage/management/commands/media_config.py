"""Render the media server's nginx configuration (scripts/media runs this before starting nginx)."""

from django.core.management.base import BaseCommand

from stage.services import media, mediaconfig


class Command(BaseCommand):
    help = "Print the media server's nginx.conf, or --write it under MEDIA_DIR (only when it changed)."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="write MEDIA_DIR/nginx.conf and print its path")
        parser.add_argument(
            "--starting",
            action="store_true",
            help="the media server is starting: channels it left marked live are offline",
        )

    def handle(self, *args, write=False, starting=False, **options):
        if starting:
            media.do_forget_live_streams()
        if not write:
            self.stdout.write(mediaconfig.render_config(), ending="")
            return
        mediaconfig.write_config()
        self.stdout.write(str(mediaconfig.config_path()))
