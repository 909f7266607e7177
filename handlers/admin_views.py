"""The Confirm buttons and the edit form behind ``/factadmin``.

Each one checks, when pressed or submitted, that the person is the moderator
who started it and is still a moderator: a button or a form can outlive a role.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from handlers.admin_text import MODAL_FIELDS, split_list
from handlers.buttons import PREFIX, DeskButton, kept, settings_of
from handlers.checks import NotModerator, is_moderator, refuse_outside_newsroom
from handlers.errors import report_error, tell, user_message
from handlers.render import clip, message_text
from handlers.views import ExpiringView
from knowledge.model import MAX_CAVEATS, MAX_CLAIM, MAX_DETAILS, MAX_SHORT, MAX_URL, Actor, Fact

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


def text_box(
    name: str,
    label: str,
    value: str,
    limit: int,
    *,
    required: bool,
    style: discord.TextStyle = discord.TextStyle.paragraph,
) -> discord.ui.TextInput:
    return discord.ui.TextInput(
        custom_id=name,  # ids are per form, so the field's name is unique enough
        label=label[:LABEL_LIMIT],
        # Multi-line by default, for the lists too: they are one entry per line,
        # which a one-line box can neither show nor take.
        style=style,
        default=value or None,
        required=required,
        max_length=min(limit, TEXT_INPUT_LIMIT),
    )


class DeskForm(discord.ui.Modal):
    """A form that collects and stops: whoever opened it awaits ``wait()`` and decides.

    Refused outside the newsroom like every button; errors go to the one handler.
    """

    def __init__(self, *, title: str, custom_id: str, timeout: float = MODAL_TIMEOUT) -> None:
        super().__init__(title=clip(title, LABEL_LIMIT), timeout=timeout, custom_id=custom_id)
        self.submitted: discord.Interaction | None = None  # set by on_submit; the opener then decides

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return not await refuse_outside_newsroom(interaction, settings_of(interaction))

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        self.submitted = interaction
        self.stop()

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        await report_error(interaction, error)


class ModeratorForm(DeskForm):
    """A form only the moderator who opened it may submit, and only while still a moderator."""

    refusal = "Only the moderator who opened this form can submit it. Nothing was changed."

    def __init__(self, owner_id: int, *, title: str, custom_id: str) -> None:
        super().__init__(title=title, custom_id=custom_id)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if not await super().interaction_check(interaction):
            return False
        if interaction.user.id != self.owner_id:
            await tell(interaction, self.refusal)
            return False
        return await allowed(interaction)


class EditFactModal(ModeratorForm):
    """The current text of a fact, to correct and save.

    It saves against the version it was opened at, so if someone else saved
    in between, the store refuses (StaleEdit) instead of overwriting them.
    Lists are one entry per line, so an alias containing a comma survives.
    """

    def __init__(
        self, fact: Fact, owner_id: int, *, version: int | None = None, custom_id: str | None = None
    ) -> None:
        """``version``: the one the form was opened at, when rebuilt for a submission after a restart.

        ``custom_id``: set by an opener other than /factadmin edit (Accept on a flag), whose own id
        says what to finish after a restart.
        """
        self.version = fact.version if version is None else version
        custom_id = custom_id or edit_form_id(owner_id, self.version, fact.key)
        super().__init__(owner_id, title=f"Edit {fact.key}", custom_id=custom_id)
        self.key = fact.key
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
            self.inputs[name] = text_box(name, labels[name], value, limits[name], required=name == "claim")
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

    def fill(self, components: list[dict[str, Any]]) -> None:
        """Take a submission's values (a form from before a restart, which discord.py did not fill)."""
        values = {
            child["custom_id"]: child.get("value", "")
            for row in components
            for child in row.get("components", [row.get("component", row)])
            if "custom_id" in child
        }
        for name, box in self.inputs.items():
            if name in values:
                box._value = str(values[name])


# How the fields the validation names are called in the add form.
ADD_FORM_FIELDS = {
    "key": "Key",
    "claim": "Claim",
    "sources": "Source",
    "sources[0].publisher": "Publisher",
    "sources[0].title": "Source title",
    "sources[0].url": "Source link",
}


class AddFactModal(ModeratorForm):
    """A new fact with its first source, in a form that may come pre-filled (a reporter's suggestion).

    Five boxes, Discord's most for a form: key, claim, publisher, title, link.
    The source's date, status, aliases and the rest are added afterwards with
    /factadmin cite, review and edit. ``custom_id`` is the opener's: it says
    what the form is for, so a submission after a restart can be finished.
    """

    def __init__(
        self,
        owner_id: int,
        *,
        custom_id: str,
        key: str = "",
        claim: str = "",
        publisher: str = "",
        title: str = "",
        url: str = "",
    ) -> None:
        super().__init__(owner_id, title="Add a fact", custom_id=custom_id)
        short = discord.TextStyle.short
        self.inputs: dict[str, discord.ui.TextInput[AddFactModal]] = {
            "key": text_box("key", "Key (lowercase-words-with-hyphens)", key, 64, required=True, style=short),
            "claim": text_box("claim", "Claim", claim, MAX_CLAIM, required=True),
            "publisher": text_box("publisher", "Publisher", publisher, MAX_SHORT, required=True, style=short),
            "title": text_box("title", "Source title", title, MAX_SHORT, required=False, style=short),
            "url": text_box("url", "Source link", url, MAX_URL, required=True, style=short),
        }
        for box in self.inputs.values():
            self.add_item(box)

    def record(self) -> dict[str, Any]:
        """What was typed, as the record the store validates (``parse_fact``) and adds."""
        value = {name: box.value.strip() for name, box in self.inputs.items()}
        source = {"publisher": value["publisher"], "url": value["url"]}
        if value["title"]:
            source["title"] = value["title"]
        # A claim is one line; a line break pasted into its box is a space.
        return {"key": value["key"], "claim": " ".join(value["claim"].split()), "sources": [source]}


EDIT_FORM_RE = re.compile(
    rf"{PREFIX}:edit:(?P<owner>[0-9a-z]+):(?P<version>[0-9]+):(?P<key>[a-z0-9-]+):(?P<nonce>[0-9a-z]+)"
)


def edit_form_id(owner_id: int, version: int, key: str) -> str:
    """Who opened the form (base 36, to fit), at which version, for which fact, and a nonce.

    All a submission after a restart needs. The nonce keeps two forms one
    moderator opened on the same version apart: discord.py keys open forms by
    custom_id, so a second would replace the first.
    """
    return f"{PREFIX}:edit:{base36(owner_id)}:{version}:{key}:{base36(secrets.randbelow(36**4))}"


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = digits[digit] + out
        if not number:
            return out
