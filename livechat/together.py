"""Calls arriving together share one call: a join storm's sockets share one access check and one entry."""

import asyncio


class Together:
    """Calls arriving within `window` seconds of each other share one `run(items)` of at most `batch` items.

    `run` is an async function answering each item, in order: a join storm's
    sockets share one access check (`Hubs.access`) and one entry
    (`RoomHub.enter`) per batch. An answer that is an exception is raised to
    its own caller only; an exception of `run` itself, to every caller of the
    batch. Items arriving while a batch runs go in the next one.
    """

    def __init__(self, run, *, window, batch, when_done=None):
        self.run = run
        self.window = window
        self.batch = batch
        self.when_done = when_done
        self.waiting = []  # (item, future)
        self.task = None

    async def ask(self, item):
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.task is None:
            self.task = asyncio.create_task(self._soon())
        return await future

    async def _soon(self):
        await asyncio.sleep(self.window)
        while self.waiting:
            batch, self.waiting = self.waiting[: self.batch], self.waiting[self.batch :]
            try:
                answers = await self.run([item for item, _future in batch])
            except Exception as error:  # each waiting socket handles it as its own failure
                answers = [error] * len(batch)
            for (_item, future), answer in zip(batch, answers, strict=True):
                if future.done():
                    continue  # its socket went away meanwhile
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
        self.task = None
        if self.when_done is not None:
            self.when_done()
