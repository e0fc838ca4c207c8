from livechat import services
from livechat.db import call
from livechat.moderation import check_not_muted
from livechat.modules.base import command, publish


@command("question.ask")
async def ask(connection, frame):
    check_not_muted(connection.you)
    result = await call(
        services.do_ask_question,
        connection.user_id,
        connection.room_id,
        connection.kind,
        frame.get("body"),
        anonymous=frame.get("anonymous", False),
        client_id=frame.get("client_id"),
    )
    await publish(connection, result)


@command("question.vote")
async def vote(connection, frame):
    """The voter hears at once; the room hears the count with the next window (`question.votes`)."""
    result = await call(
        services.do_vote, connection.user_id, connection.room_id, connection.kind, frame.get("question_id")
    )
    connection.hub.add_vote(result["question_id"])
    await connection.send_frame({"type": "question.voted", **result})


@command("question.moderate")
async def moderate(connection, frame):
    result = await call(
        services.do_moderate,
        connection.user_id,
        connection.room_id,
        connection.kind,
        frame.get("question_id"),
        frame.get("action"),
    )
    await publish(connection, result)
