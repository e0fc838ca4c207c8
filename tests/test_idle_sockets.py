"""What an idle socket keeps alive on the server: its memory is what caps a process's sockets (docs/scaling.md)."""

import asyncio

import pytest

from tests.live import frames_until, join, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def presence_is(count):
    return lambda frame: frame["type"] == "presence" and frame["count"] == count


async def test_an_idle_room_socket_is_one_task_waiting_for_its_next_message(
    main_stage, attendee_paris, attendee_shanghai, cookies
):
    camille, _state = await join(await cookies(attendee_paris))  # the room's hub is up from here on
    before = len(asyncio.all_tasks())
    lina, _state = await join(await cookies(attendee_shanghai))
    await frames_until(camille, presence_is(2), skip=())
    # Channels' own receive loop would add a second task per socket (livechat/sockets.py).
    assert len(asyncio.all_tasks()) - before == 1
    await lina.disconnect()
    await camille.disconnect()


async def test_an_idle_notification_socket_is_one_task_waiting_for_its_next_message(attendee_paris, cookies):
    cookie = await cookies(attendee_paris)
    first, connected = await open_socket(cookie, "/ws/me/")  # the person's feed is up from here on
    assert connected
    before = len(asyncio.all_tasks())
    second, connected = await open_socket(cookie, "/ws/me/")  # a second tab
    assert connected
    assert len(asyncio.all_tasks()) - before == 1
    await second.disconnect()
    await first.disconnect()
