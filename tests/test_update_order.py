"""Different people's updates run concurrently; one person's run strictly in arrival order."""

from __future__ import annotations

import asyncio

from telegram import Update

from handlers.update_order import PerPersonUpdateProcessor


def update(update_id: int, user_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": "x", "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "u"}}}, None)  # type: ignore[arg-type]


async def test_one_person_in_order_several_people_at_once() -> None:
    processor = PerPersonUpdateProcessor(8)
    finished: list[tuple[int, int]] = []
    running = 0
    most = 0

    async def handle(u: Update, delay: float) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(delay)
        running -= 1
        assert u.effective_user is not None
        finished.append((u.effective_user.id, u.update_id))

    jobs = []
    for i in range(12):
        user = 1 if i % 2 else 2
        # person 1's first updates are slow: the later fast ones must still wait their turn
        delay = 0.03 if (user == 1 and i < 6) else 0.001
        u = update(i, user)
        jobs.append(processor.process_update(u, handle(u, delay)))
    await asyncio.gather(*jobs)
    for user in (1, 2):
        ids = [uid for who, uid in finished if who == user]
        assert ids == sorted(ids), (user, ids)
    assert most == 2  # the two people overlapped, never two updates of one person
    assert processor._locks == {}  # nothing kept once everyone is done
