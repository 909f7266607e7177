"""The Confirm buttons and the edit form behind ``/factadmin``.

Each one checks, when pressed or submitted, that the person is the moderator
who started it and is still a moderator: a button or a form can outlive a role.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from handlers.admin_text import MODAL_FIELDS, split_list
from handlers.checks import NotModerator, is_moderator, refuse_outside_newsroom
from handlers.errors import report_error, tell
from handlers.render import MESSAGE_LIMIT, clip
from handlers.views import OwnerView, Paginator, settings_of
from knowledge.model import MAX_CAVEATS, MAX_CLAIM, MAX_DETAILS, Actor, Fact

MODAL_TIMEOUT = 30 * 60.0  # an edit form left open longer than this must be reopened
TEXT_INPUT_LIMIT = 4000  # Discord's most for one text input
LABEL_LIMIT = 45  # Discord's most for a modal title or an input label

# What the moderator is told after a change was attempted: text, and the fact's embed on success.
Outcome = tuple[str, discord.Embed | None]


def actor_of(interaction: discord.Interaction) -> Actor:
    """Who made a change, for the history: the Discord account, by id and name."""
    return Actor(id=str(interaction.user.id), name=str(interaction.user))


async def allowed(interaction: discord.Interaction) -> bool:
    """Whether this person is a moderator now; if not, they are told privately and nothing happens."""
    if is_moderator(interaction, settings_of(interaction)):
        return True
    await tell(interaction, str(NotModerator()))
    return False


class ConfirmView(OwnerView):
    """Confirm or Cancel a change that needs a second look; nothing happens until Confirm.

    Sent with :meth:`send`; when it times out the message says nothing was done.
    """

    refusal = "Only the moderator who started this can confirm or cancel it. Nothing was changed."

    def __init__(
        self,
        owner_id: int,
        action: Callable[[discord.Interaction], Awaitable[Outcome]],
        *,
        expired: str,
        cancelled: str,
    ) -> None:
        super().__init__(owner_id)
        self._action = action
        self._expired = expired
        self._cancelled = cancelled
        self._decided = False

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await super().interaction_check(interaction) and await allowed(interaction)

    def _decide(self) -> bool:
        # Two quick presses must not apply the change twice.
        if self._decided:
            return False
        self._decided = True
        self.stop()
        self.disable_all()
        return True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success)
    async def confirm(
        self, interaction: discord.Interaction, _button: discord.ui.Button[ConfirmView]
    ) -> None:
        if not self._decide():
            await tell(interaction, "This was already decided.")
            return
        # Answer at once (buttons greyed out), then do the slow write.
        await interaction.response.edit_message(content="Working on it…", embed=None, view=self)
        content, embed = await self._action(interaction)
        await interaction.edit_original_response(content=clip(content, MESSAGE_LIMIT), embed=embed, view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button[ConfirmView]) -> None:
        if not self._decide():
            await tell(interaction, "This was already decided.")
            return
        await interaction.response.edit_message(content=self._cancelled, embed=None, view=None)

    async def on_timeout(self) -> None:
        if self._decided:
            return
        self._decided = True
        self.disable_all()
        if self._edit is not None:
            # The message may be gone; then there is nothing to mark.
            with contextlib.suppress(discord.HTTPException):
                await self._edit(content=self._expired, embed=None, view=self)


def _input(name: str, label: str, value: str, limit: int, *, required: bool) -> discord.ui.TextInput:
    return discord.ui.TextInput(
        custom_id=name,  # ids are per form, so the field's name is unique enough
        label=label[:LABEL_LIMIT],
        # Multi-line for the lists too: they are one entry per line, which a
        # one-line box can neither show nor take.
        style=discord.TextStyle.paragraph,
        default=value or None,
        required=required,
        max_length=min(limit, TEXT_INPUT_LIMIT),
    )


class EditFactModal(discord.ui.Modal):
    """The current text of a fact, to correct and save.

    It saves against the version it was opened at, so if someone else saved
    in between, the store refuses (StaleEdit) instead of overwriting them.
    Lists are one entry per line, so an alias containing a comma survives.
    """

    refusal = "Only the moderator who opened this form can submit it. Nothing was changed."

    def __init__(
        self,
        fact: Fact,
        owner_id: int,
        save: Callable[[discord.Interaction, str, dict[str, Any], int], Awaitable[Outcome]],
    ) -> None:
        super().__init__(title=clip(f"Edit {fact.key}", LABEL_LIMIT), timeout=MODAL_TIMEOUT)
        self.key = fact.key
        self.version = fact.version
        self.owner_id = owner_id
        self._save = save
        self._before = {
            "claim": fact.claim,
            "details": fact.details or "",
            "caveats": fact.caveats or "",
            "aliases": "\n".join(fact.aliases),
            "tags": "\n".join(fact.tags),
        }
        limits = {
            "claim": MAX_CLAIM,
            "details": MAX_DETAILS,
            "caveats": MAX_CAVEATS,
            "aliases": TEXT_INPUT_LIMIT,
            "tags": TEXT_INPUT_LIMIT,
        }
        labels = {**MODAL_FIELDS, "aliases": "Aliases (one per line)", "tags": "Tags (one per line)"}
        self.inputs: dict[str, discord.ui.TextInput[EditFactModal]] = {}
        for name, value in self._before.items():
            # A list too long for one box is left out (and so unchanged)
            # rather than shown cut short and then saved cut short.
            if len(value) > TEXT_INPUT_LIMIT:
                continue
            self.inputs[name] = _input(name, labels[name], value, limits[name], required=name == "claim")
            self.add_item(self.inputs[name])

    def changes(self) -> dict[str, Any]:
        """The fields the moderator changed, in the shape the store takes."""
        out: dict[str, Any] = {}
        for name, box in self.inputs.items():
            value = box.value
            if name == "claim":
                # A claim is one line; its box is multi-line only so a long claim wraps.
                # A line break pressed or pasted there is a space, not a reason to refuse the edit.
                value = " ".join(line.strip() for line in value.splitlines() if line.strip())
            if value == self._before[name]:
                continue
            if name in ("aliases", "tags"):
                out[name] = split_list(value, separator="\n") or []
            elif name == "claim" or value.strip():
                out[name] = value
            else:
                out[name] = None  # an emptied optional box removes that text
        return out

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if await refuse_outside_newsroom(interaction, settings_of(interaction)):
            return False
        if interaction.user.id != self.owner_id:
            await tell(interaction, self.refusal)
            return False
        return await allowed(interaction)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        changes = self.changes()  # read before any await: the values belong to this submission
        if not changes:
            await tell(interaction, f"No changes; `{self.key}` stays at version {self.version}.")
            return
        # Saving can take longer than Discord's 3 seconds; answer first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        content, embed = await self._save(interaction, self.key, changes, self.version)
        await interaction.followup.send(
            clip(content, MESSAGE_LIMIT), embed=embed or discord.utils.MISSING, ephemeral=True
        )

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        await report_error(interaction, error)


class ModeratorPages(Paginator):
    """Pages for the moderator who asked, while they are still a moderator."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await super().interaction_check(interaction) and await allowed(interaction)
