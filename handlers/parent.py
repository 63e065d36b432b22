"""Parents' buttons: the weekly message, calls, reminders, visits and tips."""

from __future__ import annotations

from flows.parent.parent_actions import BUTTONS as PARENT_BUTTONS
from flows.parent.parent_actions import handle
from handlers.flowrun import ButtonTable

BUTTONS: ButtonTable = [(family, handle) for family in PARENT_BUTTONS]
