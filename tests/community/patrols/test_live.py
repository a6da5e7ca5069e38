"""The leader's board on the live push: a patrol started, scanned and finished reaches the
stream of the route team's leader (a volunteer with no area of work) and of the village's
committee, as ids only; a refused scan sends nothing; another village's clerk and a plain
villager hear nothing of it."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from gongzhi.community.patrols import services
from gongzhi.core import push
from gongzhi.core.errors import ServiceError

from .conftest import at, code_of

# The stream reads in other threads: what the test writes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def read(user, path, *, want, seconds=4.0):
    """The messages ``user``'s stream at ``path`` sends until ``want`` arrived (or
    ``seconds`` passed), and its raw text."""

    async def go():
        client = AsyncClient()
        await client.aforce_login(user)
        response = await client.get(path)
        assert response.status_code == 200
        messages, chunks = [], []

        async def collect():
            async for chunk in response.streaming_content:
                chunks.append(chunk.decode())
                for block in chunk.decode().split("\n\n"):
                    for line in block.splitlines():
                        if line.startswith("data: "):
                            messages.append(json.loads(line[6:]))
                if len(messages) >= want:
                    return

        try:
            await asyncio.wait_for(collect(), seconds)
        except TimeoutError:
            pass
        await response.streaming_content.aclose()
        return messages, "".join(chunks)

    # Playwright's sync API leaves an event loop in this thread after a browser test.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(async_to_sync(go)).result()


def test_a_patrol_reaches_the_leaders_stream_and_no_one_elses(pw):
    before = push.newest_id()
    patrol = services.do_start(actor=pw.walker, route=pw.route)
    with pytest.raises(ServiceError):
        services.do_scan(actor=pw.walker, patrol=patrol, code="not-a-code", **at(pw.cps[0]))
    services.do_scan(actor=pw.walker, patrol=patrol, code=code_of(pw.cps[0]), **at(pw.cps[0]))
    services.do_finish(actor=pw.walker, patrol=patrol)

    path = f"/push/patrols?after={before}"
    for viewer in (pw.leader, pw.clerk):
        messages, text = read(viewer, path, want=3)
        assert [m["kind"] for m in messages] == [
            "patrol.started",
            "patrol.scanned",
            "patrol.closed",
        ]
        assert all(m["data"] == {"patrol": patrol.pk, "route": pw.route.pk} for m in messages)
        # Ids only: the walker's name and the checkpoint's place stay on the scoped board.
        assert pw.walker.display_name not in text and pw.cps[0].name not in text

    # A villager who leads nothing, and another village's clerk, hear nothing.
    for viewer in (pw.villagers[5], pw.other_clerk):
        messages, _text = read(viewer, path, want=1, seconds=1.5)
        assert messages == []


def test_the_board_opens_the_push_and_does_not_poll_while_it_is_live(pw, client):
    client.force_login(pw.leader)
    page = client.get("/community/patrols/board/").content.decode()
    assert 'data-push-topic="patrols"' in page
    assert 'hx-trigger="every' not in page
