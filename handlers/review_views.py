"""The buttons and forms of the review workflow: Accept and Dismiss, and the forms Flag, Accept
and Dismiss open (Flag itself is on every fact card: :mod:`handlers.parts`).

Every button is a :class:`~handlers.buttons.DeskButton` (its fact key or item
number in its ``custom_id``), so it works after a restart; each press is handed
to the running Review cog (:mod:`handlers.review`). A form's ``custom_id`` says what
it is for, so one submitted after a restart can be rebuilt and finished.
Kept apart from the cog because ``/factadmin queue`` shows Accept and Dismiss
too, and ``load_extension`` runs an extension's module afresh: one copy of these classes.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable

import discord

from handlers.buttons import PREFIX, DeskButton, view_of
from handlers.forms import DeskForm, ModeratorForm, base36, text_box
from handlers.parts import review_of
from knowledge.model import MAX_REASON


class AcceptButton(DeskButton, kind="accept", fields=1):
    """Accept, under a review item: opens the edit form (a flag) or the add form (a suggestion)."""

    @classmethod
    def of(cls, item_id: int) -> AcceptButton:
        return cls((str(item_id),), label="Accept", style=discord.ButtonStyle.success)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        await review_of(interaction).accept(interaction, int(state[0]))


class DismissButton(DeskButton, kind="dismiss", fields=1):
    """Dismiss, under a review item: asks for the reason the reporter will be told."""

    @classmethod
    def of(cls, item_id: int) -> DismissButton:
        return cls((str(item_id),), label="Dismiss", style=discord.ButtonStyle.secondary)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        await review_of(interaction).dismiss(interaction, int(state[0]))


def review_buttons(item_id: int) -> discord.ui.View:
    return view_of(AcceptButton.of(item_id), DismissButton.of(item_id))


# Forms: what they are for is in the custom_id, so one submitted after a restart can be finished.
# A flag form names its fact; a moderator's form its item and its moderator (base 36), and the
# correction of a flagged fact the version it was opened at; then a nonce.
FORM_RE = re.compile(
    rf"{PREFIX}:(?:flagform:(?P<key>[a-z0-9-]+)|"
    r"(?P<kind>dismissform|addform|flagedit):(?P<item>[0-9]+):(?P<owner>[0-9a-z]+)(?::(?P<version>[0-9]+))?)"
    r":[0-9a-z]+"
)


def form_id(kind: str, state: str) -> str:
    """``fd:<kind>:<state>:<nonce>``; the nonce keeps two open forms apart (discord.py keys them by id)."""
    return f"{PREFIX}:{kind}:{state}:{base36(secrets.randbelow(36**4))}"


class FlagForm(DeskForm):
    """What the reporter says is wrong with a fact."""

    def __init__(self, key: str, *, custom_id: str | None = None) -> None:
        super().__init__(title=f"Flag {key}", custom_id=custom_id or form_id("flagform", key))
        self.key = key
        self.problem = text_box("problem", "What is wrong with this fact?", "", MAX_REASON, required=True)
        self.add_item(self.problem)


class DismissForm(ModeratorForm):
    """Why a moderator dismisses an item; the reporter is told."""

    def __init__(self, owner_id: int, item_id: int, *, custom_id: str | None = None) -> None:
        state = f"{item_id}:{base36(owner_id)}"
        super().__init__(
            owner_id, title=f"Dismiss item #{item_id}", custom_id=custom_id or form_id("dismissform", state)
        )
        self.item_id = item_id
        self.reason = text_box("reason", "Why? (the reporter is told)", "", MAX_REASON, required=True)
        self.add_item(self.reason)


async def answering(submitted: discord.Interaction, work: Awaitable[None]) -> None:
    """Run the work a form's submission asked for; any error is told on that submission.

    The button that opened the form was answered with the form, so its own
    interaction cannot carry the reply.
    """
    try:
        await work
    except Exception as error:
        await submitted.client.tree.on_error(submitted, error)  # type: ignore[attr-defined]
