from django.apps import AppConfig
from django.db import transaction


class StageConfig(AppConfig):
    name = "stage"
    verbose_name = "Live stage"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from events.models import Room
        from events.services import register_replay_source
        from stage.models import Recording, RestreamTarget
        from livechat import roomstate
        from stage.services import channels, mediaconfig

        # room.state carries the stage: livechat asks, it never imports the stage.
        roomstate.register("stage", channels.room_state_part)
        # The schedule links finished sessions to their replays the same way.
        register_replay_source(channels.replay_pages_for)

        # What the media server serves and relays is in its configuration: a room made private or public,
        # a replay hidden, a target added (in the admin too) writes it again.
        def media_changed(sender, **kwargs):
            transaction.on_commit(mediaconfig.refresh_config)

        for model in (Room, Recording, RestreamTarget):
            for signal in (post_save, post_delete):
                signal.connect(media_changed, sender=model, weak=False, dispatch_uid=f"stage-media-{model.__name__}")
