"""The context every handler gets: PTB's ``CallbackContext`` with the services a turn needs as a
typed property (PTB's examples/contexttypesbot.py idiom), instead of a string key in bot_data
looked up by a helper. bot.py builds the Services and sets them once in ``BotData``."""

from __future__ import annotations

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from flows.core.services import Services


class BotData:
    """``application.bot_data``: the parts of the running bot handlers may use (only the
    services). bot.py extends it with the parts only it wires (the sender, the sweeps)."""

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the services were not set: build the bot with bot.build_application")
        return self._services

    @services.setter
    def services(self, value: Services) -> None:
        self._services = value


class KinContext(CallbackContext[ExtBot, dict, dict, BotData]):  # type: ignore[type-arg]
    """``context.services``: the store, the clock, the settings and the outbox's wake-up."""

    @property
    def services(self) -> Services:
        return self.bot_data.services


def context_types(bot_data: type[BotData] = BotData) -> ContextTypes:  # type: ignore[type-arg]
    """For ``ApplicationBuilder.context_types``."""
    return ContextTypes(context=KinContext, bot_data=bot_data)
