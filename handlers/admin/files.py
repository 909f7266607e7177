"""``/factadmin export`` and ``import``: the whole fact base as a JSON file, out and in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from io import BytesIO

import discord
from discord import app_commands

from handlers.admin.keys import AdminPart, key_list
from handlers.confirm import Outcome, confirm_first
from handlers.error_replies import Refusal, as_form, tell
from handlers.parts import actor_of
from handlers.render import clip
from knowledge.duplicates import duplicate_warnings
from knowledge.store.transfer import read_document

NOTHING_CHANGED = "\nNothing was changed."
IMPORT_MAX_BYTES = 10 * 1024 * 1024  # larger bases are imported on the server: `python bot.py import`


def _warning_lines(warnings: list[str], *, most: int = 3) -> list[str]:
    """An import's warnings (near-duplicate claims, worded as ``check`` words them): the first few."""
    lines = [f"Warning: {warning}" for warning in warnings[:most]]
    if len(warnings) > most:
        lines.append(
            f"And {len(warnings) - most} more warnings; `python bot.py check <file>` lists them all."
        )
    return lines


class FactFiles(AdminPart):
    """Export and import."""

    @app_commands.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Download the whole fact base as a JSON file (the format `import` reads)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.knowledge.store
        data = await store.export_json()
        if len(data) > interaction.filesize_limit:
            await interaction.followup.send(
                "The fact base is too large to send through Discord; "
                "run `python bot.py export` on the server.",
                ephemeral=True,
            )
            return
        name = f"facts-{datetime.now(UTC):%Y-%m-%d}.json"
        await interaction.followup.send(
            f"The whole fact base: {len(store)} live facts, "
            f"{len(store.facts(include_retracted=True)) - len(store)} retracted.",
            file=discord.File(BytesIO(data), filename=name),
            ephemeral=True,
        )

    @app_commands.command(name="import")
    @app_commands.describe(
        file="A JSON file of facts (as made by export)",
        dry_run="Only count what would change; change nothing",
    )
    async def import_(
        self, interaction: discord.Interaction, file: discord.Attachment, dry_run: bool = False
    ) -> None:
        """Add or update facts from a JSON file, after you confirm what it would change."""
        if file.size > IMPORT_MAX_BYTES:
            await tell(
                interaction,
                f"`{file.filename}` is {file.size:,} bytes; at most {IMPORT_MAX_BYTES:,} can be imported "
                "through Discord (use `python bot.py import` on the server). Nothing was changed.",
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.knowledge.store
        actor = actor_of(interaction)
        try:
            raw = await file.read()
        except discord.HTTPException:
            raise Refusal("Could not download the file from Discord; try again.") from None
        with as_form(after=NOTHING_CHANGED):
            records = await asyncio.to_thread(read_document, raw, f"`{clip(file.filename, 100)}`")
            plan = await store.import_records(records, actor, dry_run=True, warn=duplicate_warnings)

        counts = (
            f"`{clip(file.filename, 100)}`: {len(plan.added)} to add, {len(plan.changed)} to change, "
            f"{len(plan.unchanged)} unchanged."
        )
        warned = _warning_lines(plan.warnings)  # they do not stop an import; the moderator should see them
        if dry_run:
            await tell(interaction, "\n".join([f"Dry run — {counts} Nothing was changed.", *warned]))
            return
        if not plan.added and not plan.changed:
            await tell(interaction, "\n".join([f"{counts} Nothing to import.", *warned]))
            return

        async def apply(pressed: discord.Interaction) -> Outcome:
            with as_form(after=NOTHING_CHANGED):
                report = await store.import_records(records, actor_of(pressed), warn=duplicate_warnings)
            return (
                f"Imported `{clip(file.filename, 100)}`: {len(report.added)} added, "
                f"{len(report.changed)} changed, {len(report.unchanged)} unchanged.",
                None,
            )

        lines = [counts]
        if plan.added:
            lines.append(f"Adds: {key_list(plan.added)}")
        if plan.changed:
            lines.append(f"Changes: {key_list(plan.changed)}")
        lines += warned
        lines.append("Apply this import?")
        await confirm_first(interaction, "import", "\n".join(lines), apply, unchanged="nothing was imported.")
