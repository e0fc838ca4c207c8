from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = "Jury scoring and people's choice"

    def ready(self):
        # The juror's form and the people's-choice button beside a pitch room's stage.
        from judging.views import stage_panel
        from livechat.views import STAGE_PANELS

        STAGE_PANELS.append(stage_panel)
