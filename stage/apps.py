from django.apps import AppConfig


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Live stage"

    def ready(self):
        from events.services import register_replay_source
        from livechat import roomstate
        from stage.services import channels

        # room.state carries the stage: livechat asks, it never imports the stage.
        roomstate.register("stage", channels.room_state_part)
        # The schedule links finished sessions to their replays the same way.
        register_replay_source(channels.replay_pages_for)
