from pathlib import Path

from db.database import Database
from handlers.persistence import ConversationStatePersistence


async def test_conversation_states_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "kb.db"
    db = await Database.open(path)
    persistence = ConversationStatePersistence(db)
    await persistence.update_conversation("checkin", (42, 42), 3)
    await persistence.update_conversation("checkin", (7, 7), 1)
    await persistence.update_conversation("checkin", (7, 7), None)
    await persistence.update_conversation("onboarding", (42, 42), "ASK_TIME")
    await db.close()

    db = await Database.open(path)
    persistence = ConversationStatePersistence(db)
    assert await persistence.get_conversations("checkin") == {(42, 42): 3}
    assert await persistence.get_conversations("onboarding") == {(42, 42): "ASK_TIME"}
    assert await persistence.get_user_data() == {}
    assert persistence.store_data.user_data is False
    await db.close()
