from livechat import moderation
from livechat.db import call
from livechat.modules.base import command, publish


@command("chat.delete")
async def delete_chat_message(connection, frame):
    result = await call(
        moderation.do_delete_chat_message,
        connection.user_id,
        connection.room_id,
        connection.kind,
        frame.get("message_id"),
    )
    await publish(connection, result)


@command("person.mute")
async def mute_person(connection, frame):
    """Answered to the moderator only (`person.muted`); the muted person's sockets learn it from their rights."""
    muted = await call(
        moderation.do_mute_person,
        connection.user_id,
        connection.room_id,
        connection.kind,
        frame.get("user_id"),
        frame.get("minutes"),
    )
    await connection.send_frame({"type": "person.muted", **muted})
