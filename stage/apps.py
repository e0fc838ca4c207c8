from django.apps import AppConfig


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Live stage"

    def ready(self):
        from stage import receivers

        # room.state carries the stage, and the schedule links finished sessions to their replays.
        receivers.connect()
