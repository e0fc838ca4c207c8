from livechat.modules.base import command


@command("ping")
async def ping(connection, frame):
    await connection.send_frame({"type": "pong"})
