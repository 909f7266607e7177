"""Buttons that outlive the process: every button the bot posts is a :class:`DeskButton`.

A ``DeskButton`` is a ``discord.ui.DynamicItem``: its state lives in its
``custom_id`` (``fd:<kind>:=<field>:<field>:<free text>``), and the bot
registers every kind (``add_dynamic_items`` in each cog's ``setup``), so a button pressed after a restart is
rebuilt from the message and works as before. State too long for Discord's
100 characters (a long query with a long key) is kept in this process under a
short token instead (``fd:<kind>:#<token>``); pressed after a restart, such a
button says plainly that it is from before the restart and what to run again.

Why every button, and never a plain one beside them: discord.py's ``ViewStore``
forgets a dynamic item's whole kind when a view holding plain buttons stops
(``remove_view`` pops the templates of the stopped view's snapshot).

Pressing a button the bot posted before this mechanism existed (a random
``custom_id``) is answered by :func:`answer_unknown_component`, so no press
ever ends in Discord's "This interaction failed".
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from handlers.checks import refuse_outside_newsroom
from handlers.error_replies import tell

if TYPE_CHECKING:
    from handlers.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "fd"
CUSTOM_ID_LIMIT = 100  # Discord's most for a component's or a modal's custom_id
KEPT_MOST = 5_000  # state kept in memory for buttons whose state does not fit; oldest forgotten first

OUTDATED = (
    "This button is from an older version of Fact desk and no longer works. "
    "Run the command again (for example /facts) to get working buttons."
)


def settings_of(interaction: discord.Interaction) -> Settings:
    """The bot's settings, for components and forms, which discord.py builds without the cog."""
    return interaction.client.settings  # type: ignore[attr-defined]


class _Kept:
    """State that did not fit in a custom_id, for as long as this process lives (bounded)."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._items: OrderedDict[str, Any] = OrderedDict()

    def keep(self, value: Any) -> str:
        token = secrets.token_urlsafe(12)
        self._items[token] = value
        while len(self._items) > self.most:
            self._items.popitem(last=False)
        return token

    def get(self, token: str) -> Any:
        return self._items.get(token)

    def forget(self, token: str) -> None:
        self._items.pop(token, None)

    def clear(self) -> None:
        self._items.clear()


kept = _Kept(KEPT_MOST)


def encode(kind: str, fields: Sequence[str], *, keep: bool = False) -> str:
    """The custom_id for a button of ``kind``; only the last field may contain ":"."""
    literal = f"{PREFIX}:{kind}:=" + ":".join(fields)
    if not keep and len(literal) <= CUSTOM_ID_LIMIT:
        return literal
    return f"{PREFIX}:{kind}:#{kept.keep(tuple(fields))}"


def decode(state: str, count: int) -> tuple[str, ...] | None:
    """The fields of a custom_id's state, or None if they were kept by a process that is gone."""
    if state.startswith("="):
        fields = tuple(state[1:].split(":", count - 1))
        return fields if len(fields) == count else None
    found = kept.get(state[1:])
    return found if isinstance(found, tuple) else None


class DeskButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fd:base:(?P<state>.*)"):
    """Base of every button: newsroom servers only, errors to the one handler, state in the custom_id.

    A subclass names its ``kind`` and ``fields`` (how many values its state
    holds) and implements :meth:`press`, which gets them as strings.
    """

    kind: ClassVar[str] = "base"
    fields: ClassVar[int] = 1
    # Said when the state was kept in memory by a process that has since stopped.
    forgotten: ClassVar[str] = "This button is from before the bot restarted; run the command again."

    def __init_subclass__(cls, *, kind: str, fields: int, **kwargs: Any) -> None:
        super().__init_subclass__(template=rf"{PREFIX}:{re.escape(kind)}:(?P<state>[=#].*)", **kwargs)
        cls.kind = kind
        cls.fields = fields

    def __init__(
        self,
        state: Sequence[str] | None,
        *,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        custom_id: str | None = None,
        disabled: bool = False,
        keep: bool = False,
    ) -> None:
        self.state = tuple(state) if state is not None else None
        if custom_id is None:
            assert self.state is not None and len(self.state) == self.fields
            custom_id = encode(self.kind, self.state, keep=keep)
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, disabled=disabled))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> DeskButton:
        return cls(
            decode(match["state"], cls.fields),
            label=item.label or "",
            style=item.style,
            custom_id=item.custom_id,
        )

    @property
    def token(self) -> str | None:
        """The key of the kept state, if the state was kept in memory rather than in the custom_id."""
        state = self.custom_id.split(":", 2)[2]
        return state[1:] if state.startswith("#") else None

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return not await refuse_outside_newsroom(interaction, settings_of(interaction))

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs what a dynamic item's callback raises; send it to the tree's
        # error handler, the one place that turns errors into replies.
        try:
            if self.state is None:
                await self.retire(interaction)
                return
            await self.press(interaction, *self.state)
        except Exception as error:
            await interaction.client.tree.on_error(interaction, error)  # type: ignore[attr-defined, arg-type]

    async def press(self, interaction: discord.Interaction, *state: str) -> None:
        raise NotImplementedError

    async def retire(self, interaction: discord.Interaction) -> None:
        """Its state went with the process that kept it: grey it out on the message and say why."""
        self.item.disabled = True
        if self.view is not None:
            await interaction.response.edit_message(view=self.view)
        await tell(interaction, self.forgotten)


async def answer_unknown_component(
    interaction: discord.Interaction, kinds: Sequence[type[DeskButton]]
) -> None:
    """A press or form nothing else will answer (from an older version of the bot): say so.

    ``kinds``: the buttons the bot registered. Forms with our prefix answer
    themselves, live or from before a restart (see :func:`handlers.forms.resume_form`).
    """
    custom_id = str((interaction.data or {}).get("custom_id", ""))
    if interaction.type is discord.InteractionType.component:
        if any(kind.__discord_ui_compiled_template__.fullmatch(custom_id) for kind in kinds):
            return
    elif interaction.type is not discord.InteractionType.modal_submit or custom_id.startswith(f"{PREFIX}:"):
        return
    log.info(
        "Answered an outdated component %r (user %s)",
        (interaction.data or {}).get("custom_id"),
        interaction.user.id,
    )
    if not interaction.response.is_done():
        await interaction.response.send_message(OUTDATED, ephemeral=True)


def view_of(*buttons: DeskButton, timeout: float | None = None) -> discord.ui.View:
    """A view holding only desk buttons (see the module's note on why only those)."""
    view = discord.ui.View(timeout=timeout)
    for button in buttons:
        view.add_item(button)
    return view
