from django.apps import AppConfig


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Live stage"

    def ready(self):
        from stage import receivers

        # room.state carries the stage, the schedule links finished sessions to their replays, and a
        # change to what the media server serves or relays writes its configuration again.
        receivers.connect()
