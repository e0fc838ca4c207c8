"""One module per live feature; importing them registers their commands."""

from livechat.modules import chat, moderation, questions, reactions, system  # noqa: F401
from livechat.modules.base import COMMANDS

__all__ = ["COMMANDS"]
