from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = "Jury scoring and people's choice"

    def ready(self):
        from events.signals import demo_seeded
        from judging.demo import seed_judging
        from judging.views import stage_panel
        from livechat.signals import stage_panels

        # The juror's form and the people's-choice button beside a pitch room's stage.
        stage_panels.connect(stage_panel, dispatch_uid="judging.stage_panel")
        demo_seeded.connect(
            lambda sender, summit, **kwargs: seed_judging(summit), weak=False, dispatch_uid="judging.demo"
        )
