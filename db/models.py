"""Plain records the repositories return (no Telegram, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    """Who a person is to KinBridge (the people.role column; equal to its string)."""

    GUARDIAN = "guardian"
    PARENT = "parent"
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class PersonStatus(StrEnum):
    """Whether messages may go to a person (the people.status column)."""

    ACTIVE = "active"
    PAUSED = "paused"  # /stop: nothing scheduled until /start
    OPTED_OUT = "opted_out"  # /forget
    UNREACHABLE = "unreachable"  # Telegram refused (blocked, account closed)


Status = PersonStatus  # the earlier name
Relation = Literal["grandmother", "grandfather", "mother", "father", "other_guardian"]

ROLES: tuple[str, ...] = tuple(Role)
STAFF_ROLES: tuple[str, ...] = (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN)
RELATIONS: tuple[str, ...] = ("grandmother", "grandfather", "mother", "father", "other_guardian")


@dataclass(frozen=True)
class Person:
    id: int
    tg_user_id: int | None
    tg_chat_id: int | None
    role: Role
    display_name: str | None
    locale: str
    tz: str
    status: PersonStatus
    consent_at: str | None
    supervisor_id: int | None
    quiet_start: str
    quiet_end: str
    checkin_time: str | None = None
    weekly_day: int | None = None
    weekly_time: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "status", PersonStatus(self.status))

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def reachable(self) -> bool:
        return self.status == PersonStatus.ACTIVE and self.tg_chat_id is not None


@dataclass(frozen=True)
class Family:
    id: int
    village: str
    caseworker_id: int | None
    supervisor_id: int | None
    cadence: str
    consent_confirmed_at: str | None


@dataclass(frozen=True)
class Child:
    id: int
    family_id: int
    name: str
    birth_month: str | None
    school: str | None
    grade: str | None
    notes: str | None


@dataclass(frozen=True)
class Membership:
    family_id: int
    person_id: int
    relation: str


@dataclass(frozen=True)
class OutboxItem:
    id: int
    dedupe_key: str
    person_id: int | None
    chat_id: int
    lane: int
    kind: str
    payload: str
    not_before: str
    respect_quiet: bool
    attempts: int
    in_doubt: bool
    expires_at: str | None = None
