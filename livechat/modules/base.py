"""The command registry: `@command("chat.send")` maps a frame type to its handler.

A handler gets the connection and the parsed frame; it calls services (one
`database_sync_to_async` each) and raises ServiceError, which the consumer
turns into the one `error` frame.
"""

COMMANDS = {}
# What higher apps do when a room socket closes (the calls app frees the person's seat in a call):
# `async fn(connection)`, registered in their AppConfig.ready().
CLOSED_HOOKS = []


def command(frame_type):
    def register(handler):
        if frame_type in COMMANDS:
            raise RuntimeError(f"two handlers for {frame_type}")
        COMMANDS[frame_type] = handler
        return handler

    return register


def on_socket_closed(hook):
    if hook not in CLOSED_HOOKS:
        CLOSED_HOOKS.append(hook)
    return hook


async def publish(connection, result):
    """Broadcast a newly stored event to the room, or send an idempotent resend's original back to its sender."""
    if result["created"]:
        await connection.hubs.publish(connection.room_id, result["event"])
    else:
        await connection.send_event(result["event"])
