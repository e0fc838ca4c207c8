"""One module per live feature; importing them registers their commands."""

from livechat.modules import chat, moderation, polls, questions, reactions, system  # noqa: F401
from livechat.modules.base import CLOSED_HOOKS, COMMANDS

__all__ = ["CLOSED_HOOKS", "COMMANDS"]
