from livechat import services
from livechat.db import call
from livechat.moderation import check_not_muted
from livechat.modules.base import command, publish


@command("chat.send")
async def send_chat(connection, frame):
    check_not_muted(connection.you)
    result = await call(
        services.do_send_chat_message, connection.user_id, connection.room_id, frame.get("body"), frame.get("client_id")
    )
    await publish(connection, result)
