"""Test doubles for buurtbot: an in-process fake Telegram Bot API, update factories and
a transcript renderer. Nothing here touches the network."""

from bot.testing.fake_api import ApiCall, ApiError, FakeBotAPI, Fault, Upload
from bot.testing.transcript import render_chat
from bot.testing.updates import Person, Updates

__all__ = [
    "ApiCall", "ApiError", "FakeBotAPI", "Fault", "Person", "Updates", "Upload", "render_chat",
]
