"""One transaction's view of the database: the repositories bound to its connection."""

from __future__ import annotations

import sqlite3
from functools import cached_property

from db.alerts import AlertsRepo
from db.audit import AuditRepo
from db.checkins import CheckinsRepo
from db.dialogs import DialogsRepo
from db.families import FamiliesRepo
from db.inbox import InboxRepo
from db.interactions import InteractionsRepo
from db.invites import InvitesRepo
from db.kept_words import KeptWordsRepo
from db.notes import NotesRepo
from db.outbox import OutboxRepo
from db.parents import CallsRepo, TipsRepo, VisitsRepo
from db.people import PeopleRepo
from db.privacy import PrivacyRepo
from db.schedules import SchedulesRepo
from db.topics import TopicsRepo


class Store:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @cached_property
    def people(self) -> PeopleRepo:
        return PeopleRepo(self.conn)

    @cached_property
    def families(self) -> FamiliesRepo:
        return FamiliesRepo(self.conn)

    @cached_property
    def interactions(self) -> InteractionsRepo:
        return InteractionsRepo(self.conn)

    @cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.conn)

    @cached_property
    def alerts(self) -> AlertsRepo:
        return AlertsRepo(self.conn)

    @cached_property
    def schedules(self) -> SchedulesRepo:
        return SchedulesRepo(self.conn)

    @cached_property
    def invites(self) -> InvitesRepo:
        return InvitesRepo(self.conn)

    @cached_property
    def dialogs(self) -> DialogsRepo:
        return DialogsRepo(self.conn)

    @cached_property
    def audit(self) -> AuditRepo:
        return AuditRepo(self.conn)

    @cached_property
    def checkins(self) -> CheckinsRepo:
        return CheckinsRepo(self.conn)

    @cached_property
    def calls(self) -> CallsRepo:
        return CallsRepo(self.conn)

    @cached_property
    def visits(self) -> VisitsRepo:
        return VisitsRepo(self.conn)

    @cached_property
    def tips(self) -> TipsRepo:
        return TipsRepo(self.conn)

    @cached_property
    def notes(self) -> NotesRepo:
        return NotesRepo(self.conn)

    @cached_property
    def inbox(self) -> InboxRepo:
        return InboxRepo(self.conn)

    @cached_property
    def privacy(self) -> PrivacyRepo:
        return PrivacyRepo(self.conn)

    @cached_property
    def topics(self) -> TopicsRepo:  # branch risk
        return TopicsRepo(self.conn)

    @cached_property
    def kept_words(self) -> KeptWordsRepo:  # branch families
        return KeptWordsRepo(self.conn)

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
