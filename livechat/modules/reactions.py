from livechat import services
from livechat.moderation import check_not_muted
from livechat.modules.base import command


@command("reaction.send")
async def react(connection, frame):
    """Counted in memory and broadcast once per window: never one frame per click."""
    check_not_muted(connection.you)
    connection.hub.add_reaction(services.check_emoji(frame.get("emoji")))
