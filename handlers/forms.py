"""The forms (modals) of the desk, and the one way a form is resumed after a restart.

A form collects and validates, then stops; whoever opened it awaits it
(:meth:`OpenForms.ask`) and decides. Every form's ``custom_id`` says what it is
for, so a form submitted after a restart, which nothing awaits any more, is
rebuilt and finished the same way (:func:`resume_form`). Shared by
``/factadmin edit`` and the review workflow's Accept, Flag and Dismiss.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import discord

from handlers.admin_text import MODAL_FIELDS, split_list
from handlers.buttons import PREFIX, settings_of
from handlers.checks import NotModerator, is_moderator, refuse_outside_newsroom
from handlers.error_replies import as_form, report_error, tell
from handlers.parts import actor_of
from handlers.render import clip, fact_embed
from handlers.settings import Settings
from knowledge.model import MAX_CAVEATS, MAX_CLAIM, MAX_DETAILS, MAX_SHORT, MAX_URL, Fact
from knowledge.store.changes import FactStore

Form = TypeVar("Form", bound="DeskForm")

MODAL_TIMEOUT = 30 * 60.0  # an edit form left open longer than this must be reopened
TEXT_INPUT_LIMIT = 4000  # Discord's most for one text input
LABEL_LIMIT = 45  # Discord's most for a modal title or an input label


async def allowed(interaction: discord.Interaction) -> bool:
    """Whether this person is a moderator now; if not, they are told privately and nothing happens."""
    if is_moderator(interaction, settings_of(interaction)):
        return True
    await tell(interaction, str(NotModerator()))
    return False


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


async def save_edit(store: FactStore, submitted: discord.Interaction, form: EditFactModal) -> Fact | None:
    """Save what an edit form collected, against the version it was opened at; the saved fact, or None.

    How ``/factadmin edit`` and Accept on a flag save a correction. The
    opener's own interaction was answered with the form, so every reply,
    refusals too, goes to the submission.
    """
    changes = form.changes()
    if not changes:
        await tell(submitted, f"No changes; `{form.key}` stays at version {form.version}.")
        return None
    # Saving can take longer than Discord's 3 seconds; answer first.
    await submitted.response.defer(ephemeral=True, thinking=True)
    try:
        with as_form(MODAL_FIELDS):
            fact = await store.edit(
                form.key, changes, expected_version=form.version, actor=actor_of(submitted)
            )
    except Exception as error:
        await report_error(submitted, error)
        return None
    await submitted.followup.send(
        f"Saved `{fact.key}` (now version {fact.version}).", embed=fact_embed(fact), ephemeral=True
    )
    return fact


class OpenForms:
    """The forms this process has open and awaits, by custom_id; a submission of any other is from
    before a restart, for :func:`resume_form`."""

    def __init__(self) -> None:
        self._open: Counter[str] = Counter()

    def __contains__(self, custom_id: object) -> bool:
        return custom_id in self._open

    async def ask(self, interaction: discord.Interaction, form: DeskForm) -> discord.Interaction | None:
        """Answer ``interaction`` with ``form`` and wait for it; its submission, or None if left unsent."""
        self._open[form.custom_id] += 1
        try:
            await interaction.response.send_modal(form)
            timed_out = await form.wait()
        finally:
            self._open[form.custom_id] -= 1
            if not self._open[form.custom_id]:
                del self._open[form.custom_id]
        return None if timed_out else form.submitted


async def resume_form(
    interaction: discord.Interaction,
    pattern: re.Pattern[str],
    open_forms: OpenForms,
    settings: Settings,
    rebuild: Callable[[re.Match[str]], Form],
) -> tuple[Form, discord.Interaction] | None:
    """A form submitted after a restart (``pattern`` matches its custom_id, no live form awaits it):
    rebuilt from its custom_id and run the way discord.py runs a live form; the form and its
    submission, once submitted.

    None when the interaction is none of these forms' submissions, or the form
    was refused (outside the newsroom, a rebuild that fails, the form's own
    checks): the person has been told why.

    The one place the bot calls discord.py's private ``Modal._dispatch_submit``.
    discord.py finds a submitted form only among the modals this process sent;
    a form sent before a restart is not there, and discord.py has no public way
    to hand it a rebuilt one (``Client.add_view`` takes views, not modals). The
    private call is the path discord.py takes for a live form: the form's
    ``interaction_check``, its values filled in, then ``on_submit`` (or
    ``on_error``). ``tests/test_forms.py`` fails if discord.py changes it.
    """
    if interaction.type is not discord.InteractionType.modal_submit or interaction.data is None:
        return None
    custom_id = str(interaction.data.get("custom_id", ""))
    match = pattern.fullmatch(custom_id)
    if match is None or custom_id in open_forms:
        return None
    if await refuse_outside_newsroom(interaction, settings):  # before reading anything
        return None
    try:
        form = rebuild(match)
    except Exception as error:  # the fact or the item is not there (a forged form)
        await report_error(interaction, error)
        return None
    components = list(interaction.data.get("components", []))  # type: ignore[union-attr]
    await form._dispatch_submit(interaction, components, {})  # type: ignore[arg-type]
    return None if form.submitted is None else (form, form.submitted)
