"""The Confirm and Cancel buttons behind ``/factadmin add`` and ``import``, and the review
channel's Accept of a suggestion the base already answers.

Shared by the ``/factadmin`` cog and the Review cog, so neither imports the
other; ``/factadmin``'s ``setup`` registers :class:`DecideButton`. Each press
checks that the person is the moderator who started it and is still a
moderator: a button can outlive a role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from handlers.buttons import DeskButton, kept
from handlers.error_replies import tell, user_message
from handlers.forms import allowed
from handlers.render import message_text
from handlers.views import ExpiringView

# What the moderator is told after a change was attempted: text, and the fact's embed on success.
Outcome = tuple[str, discord.Embed | None]


@dataclass
class Pending:
    """A change waiting for its Confirm, kept in this process only (a restart drops it, unapplied)."""

    owner_id: int
    action: Callable[[discord.Interaction], Awaitable[Outcome]]
    cancelled: str
    expired: str
    view: ExpiringView | None = None
    decided: bool = False


# What a Confirm or Cancel pressed after a restart says, by what was waiting.
RESTARTED = {
    "add": "The bot restarted before this was confirmed, so nothing was added. "
    "Run /factadmin add again to add the fact.",
    "import": "The bot restarted before this was confirmed, so nothing was imported. "
    "Run /factadmin import again with the file.",
    "accept": "The bot restarted before this was confirmed, so nothing was added and the review item "
    "is still open. Press Accept on it again.",
}


class DecideButton(DeskButton, kind="decide", fields=4):
    """Confirm or Cancel; state is (yes or no, what waits: add, import or accept, owner's id, token)."""

    refusal = "Only the moderator who started this can confirm or cancel it. Nothing was changed."

    @classmethod
    def of(cls, answer: str, what: str, owner: int, token: str) -> DecideButton:
        label, style = (
            ("Confirm", discord.ButtonStyle.success)
            if answer == "yes"
            else ("Cancel", discord.ButtonStyle.secondary)
        )
        return cls((answer, what, str(owner), token), label=label, style=style)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        answer, what, owner, token = state
        if interaction.user.id != int(owner):
            await tell(interaction, self.refusal)
            return
        if not await allowed(interaction):
            return
        pending = kept.get(token)
        if not isinstance(pending, Pending):
            await interaction.response.edit_message(content=RESTARTED[what], embed=None, view=None)
            return
        if pending.decided:  # two quick presses must not apply the change twice
            await tell(interaction, "This was already decided.")
            return
        pending.decided = True
        kept.forget(token)
        view = pending.view
        if view is not None:
            view.stop()
            view.disable_all()
        if answer == "no":
            await interaction.response.edit_message(content=pending.cancelled, embed=None, view=None)
            return
        # Answer at once (buttons greyed out), then do the slow write.
        await interaction.response.edit_message(content="Working on it…", embed=None, view=view)
        try:
            content, embed = await pending.action(interaction)
        except Exception as error:
            # A refusal replaces the question, in the one handler's words; the unexpected goes there.
            if (refusal := user_message(error)) is None:
                raise
            content, embed = refusal, None
        await interaction.edit_original_response(content=message_text(content), embed=embed, view=None)


class ConfirmView(ExpiringView):
    """Confirm or Cancel a change that needs a second look; nothing happens until Confirm.

    When it times out the message says nothing was done, and the buttons go grey.
    """

    def __init__(self, pending: Pending, what: str) -> None:
        self.pending = pending
        self.token = kept.keep(pending)
        owner = pending.owner_id
        super().__init__(
            DecideButton.of("yes", what, owner, self.token), DecideButton.of("no", what, owner, self.token)
        )
        pending.view = self

    async def on_timeout(self) -> None:
        if self.pending.decided:
            return
        self.pending.decided = True
        kept.forget(self.token)
        await self.expire(content=self.pending.expired, embed=None)


async def confirm_first(
    interaction: discord.Interaction,
    what: str,
    question: str,
    action: Callable[[discord.Interaction], Awaitable[Outcome]],
    *,
    unchanged: str,
    embed: discord.Embed | None = None,
) -> None:
    """Ask the moderator ``question``, privately, with Confirm and Cancel: only Confirm runs ``action``.

    ``what``: add, import or accept (what a press after a restart is told,
    :data:`RESTARTED`); ``unchanged``: what stays as it was, said when they
    cancel or do not answer in time.
    """
    pending = Pending(
        interaction.user.id,
        action,
        expired=f"No answer in time: {unchanged}",
        cancelled=f"Cancelled: {unchanged}",
    )
    content = message_text(question)
    shown = embed or discord.utils.MISSING  # no embed: none sent at all
    await ConfirmView(pending, what).send(interaction, content=content, embed=shown, ephemeral=True)
