"""Pages every listing reuses, and views that go grey when their time runs out.

Page turns are :class:`PageButton` s: the listing, its owner, the page and the
listing's arguments are in the ``custom_id``, and each press builds the
listing again from the base as it is now, so page turns work after a restart
and never show a fact retracted since. A cog names each of its listings with
:func:`listing` (a one-letter code and the function that builds its pages).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from handlers.buttons import DeskButton, settings_of, view_of
from handlers.checks import NotModerator, is_moderator
from handlers.error_replies import tell

# Interaction tokens can edit their message for 15 minutes; expire well before that
# so the "disable on timeout" edit still succeeds.
VIEW_TIMEOUT = 600.0

NOT_YOURS = "Only the person who ran this command can use these buttons; run the command yourself."

# Builds a listing's pages from its arguments; may raise (a refusal goes to the error handler).
PageBuilder = Callable[[discord.Interaction, str], Awaitable[list[discord.Embed]]]
_listings: dict[str, tuple[PageBuilder, bool]] = {}


def listing(code: str, build: PageBuilder, *, moderators_only: bool = False) -> None:
    """Name a listing so its page buttons can build it again (the newest bot's cog wins).

    ``moderators_only``: its pages turn only for a moderator, decided at each
    press (roles change), by the rule the /factadmin group checks.
    """
    _listings[code] = (build, moderators_only)


class ExpiringView(discord.ui.View):
    """A view whose buttons are disabled, on the message, when it times out.

    For buttons whose action cannot outlive the wait (a confirmation); buttons
    that work at any time are sent with :func:`handlers.buttons.view_of` instead.
    """

    def __init__(self, *buttons: DeskButton, timeout: float = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        for button in buttons:
            self.add_item(button)
        self._edit: Callable[..., Awaitable[Any]] | None = None

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool = False, **kwargs: Any) -> None:
        """Answer ``interaction`` with this view (as the response, or a follow-up if already answered)."""
        if interaction.response.is_done():
            message = await interaction.followup.send(view=self, ephemeral=ephemeral, wait=True, **kwargs)
            self._edit = message.edit
        else:
            await interaction.response.send_message(view=self, ephemeral=ephemeral, **kwargs)
            self._edit = interaction.edit_original_response

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, DeskButton):
                item.item.disabled = True

    async def expire(self, **changes: Any) -> None:
        """Grey the buttons out on the message, with ``changes`` (like a new content)."""
        self.disable_all()
        if self._edit is not None:
            # The message may be gone or no longer editable; then there is nothing to grey out.
            with contextlib.suppress(discord.HTTPException):
                await self._edit(view=self, **changes)


async def reply(interaction: discord.Interaction, *, ephemeral: bool, **kwargs: Any) -> None:
    """Answer, or follow up if the interaction was answered already."""
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


class PageButton(DeskButton, kind="page", fields=4):
    """Previous or Next: state is (listing code, owner's id, page to show, the listing's arguments)."""

    forgotten = "This list is from before the bot restarted; run the command again to page through it."

    @classmethod
    def to(cls, label: str, code: str, owner: int, page: int, args: str, *, disabled: bool) -> PageButton:
        return cls((code, str(owner), str(page), args), label=label, disabled=disabled)

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        code, owner, page, args = state
        if interaction.user.id != int(owner):
            await tell(interaction, NOT_YOURS)
            return
        found = _listings.get(code)
        if found is None:
            await tell(interaction, self.forgotten)
            return
        build, moderators_only = found
        if moderators_only and not is_moderator(interaction, settings_of(interaction)):
            raise NotModerator
        pages = await build(interaction, args)
        await show_page(interaction, pages, code=code, args=args, page=int(page), edit=True)


def page_buttons(code: str, owner: int, page: int, count: int, args: str) -> discord.ui.View:
    return view_of(
        PageButton.to("Previous", code, owner, page - 1, args, disabled=page == 0),
        PageButton.to("Next", code, owner, page + 1, args, disabled=page >= count - 1),
    )


async def show_page(
    interaction: discord.Interaction,
    pages: Sequence[discord.Embed],
    *,
    code: str,
    args: str,
    page: int = 0,
    edit: bool = False,
    ephemeral: bool = False,
) -> None:
    """Page ``page`` of a listing; a single page is sent without buttons.

    ``edit``: replace the pressed message (a page turn), else answer with a new one.
    """
    if not pages:
        raise ValueError("a listing needs at least one page")
    page = max(0, min(len(pages) - 1, page))
    view = page_buttons(code, interaction.user.id, page, len(pages), args) if len(pages) > 1 else None
    if edit:
        await interaction.response.edit_message(embed=pages[page], view=view)
    else:
        await reply(interaction, embed=pages[page], view=view or discord.utils.MISSING, ephemeral=ephemeral)
