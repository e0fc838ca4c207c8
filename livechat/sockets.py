"""The base of the platform's socket consumers: Channels' `AsyncConsumer` without a channel layer.

Neither the room socket nor `/ws/me/` has a channel of its own (each process fans events out
to its sockets itself, livechat/hub.py), yet Channels' `AsyncConsumer.__call__` still runs
`await_many_dispatch`: a second task per socket for the pending `receive()`, plus
`asyncio.wait`'s waiter, callbacks and sets, all alive for as long as the socket is idle. Here
the application's own task awaits `receive()` and dispatches, one message after another, in
the order they came: the same as `await_many_dispatch` with its one callable, held in one task.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class LayerlessConsumer(AsyncConsumer):
    channel_layer_alias = None
    channel_layer = None

    async def __call__(self, scope, receive, send):
        self.scope = scope
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
