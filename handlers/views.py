"""View bases every cog reuses: buttons that go grey when they expire, owner-only views, pages.

A view remembers how to edit the message it sits on (the interaction that
sent it), because an ephemeral message can only be edited through that
interaction. Errors in a button go to the same handler as commands.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot import Settings

from handlers.checks import refuse_outside_newsroom
from handlers.errors import report_error, tell


def settings_of(interaction: discord.Interaction) -> Settings:
    """The bot's settings, for components, which discord.py builds without the cog."""
    return interaction.client.settings  # type: ignore[attr-defined]


def dynamic_items() -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    return ()


async def answer_unknown_component(interaction: discord.Interaction) -> None:
    return None


# Interaction tokens can edit their message for 15 minutes; expire well before that
# so the "disable on timeout" edit still succeeds.
VIEW_TIMEOUT = 600.0


class ExpiringView(discord.ui.View):
    """A view whose components are disabled, on the message, when it times out."""

    def __init__(self, *, timeout: float | None = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self._edit: Callable[..., Awaitable[Any]] | None = None

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool = False, **kwargs: Any) -> None:
        """Answer ``interaction`` with this view (as the response, or a follow-up if already answered)."""
        if interaction.response.is_done():
            message = await interaction.followup.send(view=self, ephemeral=ephemeral, wait=True, **kwargs)
            self._edit = message.edit
        else:
            await interaction.response.send_message(view=self, ephemeral=ephemeral, **kwargs)
            self._edit = interaction.edit_original_response

    async def show_in(self, interaction: discord.Interaction, **kwargs: Any) -> None:
        """Replace the clicked message's content and view with this one."""
        await interaction.response.edit_message(view=self, **kwargs)
        self._edit = interaction.edit_original_response

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()
        if self._edit is not None:
            # The message may be gone or no longer editable; then there is nothing to grey out.
            with contextlib.suppress(discord.HTTPException):
                await self._edit(view=self)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return not await refuse_outside_newsroom(interaction, settings_of(interaction))

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class OwnerView(ExpiringView):
    """Only the person who ran the command may use these components."""

    refusal = "Only the person who ran this command can use these buttons; run the command yourself."

    def __init__(self, owner_id: int, *, timeout: float | None = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if not await super().interaction_check(interaction):
            return False
        if interaction.user.id == self.owner_id:
            return True
        await tell(interaction, self.refusal)
        return False


class Paginator(OwnerView):
    """Previous / Next through a list of embeds; only the owner turns the pages."""

    def __init__(
        self, owner_id: int, pages: Sequence[discord.Embed], *, timeout: float | None = VIEW_TIMEOUT
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        self.pages = list(pages)
        self.index = 0
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def start(
        self, interaction: discord.Interaction, *, ephemeral: bool = False, **kwargs: Any
    ) -> None:
        """Show the first page; a single page is sent without buttons."""
        if len(self.pages) == 1:
            self.stop()
            if interaction.response.is_done():
                await interaction.followup.send(embed=self.pages[0], ephemeral=ephemeral, **kwargs)
            else:
                await interaction.response.send_message(embed=self.pages[0], ephemeral=ephemeral, **kwargs)
            return
        await self.send(interaction, embed=self.pages[0], ephemeral=ephemeral, **kwargs)

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync_buttons()
        await self.show_in(interaction, embed=self.pages[self.index])

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _button: discord.ui.Button[Paginator]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _button: discord.ui.Button[Paginator]) -> None:
        await self._turn(interaction, 1)
