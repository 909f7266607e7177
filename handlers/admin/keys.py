"""The fact keys moderators pick from, and the base every part of ``/factadmin`` builds on.

:class:`AdminPart` holds what each part uses (the newsroom's knowledge, the
settings) and the key options' autocomplete. Checks do not run for
autocomplete, so its callbacks carry the moderator check as discord.py's own
autocomplete check (:func:`moderators`): anyone else is offered nothing.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import islice, takewhile

import discord
from discord import app_commands
from discord.app_commands import Range

from handlers.buttons import settings_of
from handlers.checks import is_moderator
from handlers.render import CHOICE_NAME_LIMIT, clip, visible
from handlers.settings import Settings
from knowledge.model import STATUSES, Fact
from knowledge.newsroom import Knowledge
from knowledge.search.index import SearchIndex

AUTOCOMPLETE_LIMIT = 25
STATUS_CHOICES = [app_commands.Choice(name=s, value=s) for s in STATUSES]

# The model checks a key's form; 100 characters is what an autocomplete value may hold.
Key = Range[str, 1, 100]


def moderators(interaction: discord.Interaction) -> bool:
    """The moderator rule (:func:`handlers.checks.is_moderator`) as a check, for the group and its
    autocomplete."""
    return is_moderator(interaction, settings_of(interaction))


class KeyCatalogue:
    """Keys for moderators' autocomplete, built once per write (``Knowledge.derived``).

    A keystroke costs a binary search for keys starting with what was typed, a
    scan of the keys (short strings) for ones containing it, the search index
    for live facts whose claim contains it, and a scan of the few retracted
    facts (which the index does not hold).
    """

    def __init__(self, facts: list[Fact]) -> None:
        self.keys = sorted(fact.key for fact in facts)
        self.retracted = [(fact.key, fact.claim.casefold()) for fact in facts if fact.retracted]

    def matching(self, needle: str, index: SearchIndex, most: int) -> list[str]:
        start = bisect_left(self.keys, needle)
        found = dict.fromkeys(
            takewhile(lambda key: key.startswith(needle), islice(self.keys, start, start + most))
        )
        if needle and len(found) < most:
            found |= dict.fromkeys(islice((key for key in self.keys if needle in key), most))
            hits = index.autocomplete(needle, limit=most)
            found |= dict.fromkeys(hit.fact.key for hit in hits if needle in hit.fact.claim.casefold())
            found |= dict.fromkeys(key for key, claim in self.retracted if needle in claim)
        return list(found)[:most]


def key_list(keys: list[str], *, most: int = 15) -> str:
    shown = ", ".join(f"`{k}`" for k in keys[:most])
    return shown + (f" and {len(keys) - most} more" if len(keys) > most else "")


class AdminPart:
    """What every part of ``/factadmin`` has: the knowledge and settings, and the key autocomplete."""

    knowledge: Knowledge
    settings: Settings

    def _key_choices(
        self, interaction: discord.Interaction, current: str, *, retracted: bool | None
    ) -> list[app_commands.Choice[str]]:
        store = self.knowledge.store
        catalogue = self.knowledge.derived(
            "admin-keys", lambda: KeyCatalogue(store.facts(include_retracted=True))
        )
        return [
            app_commands.Choice(
                name=clip(" ".join(visible(f"{f.key} — {f.claim}").split()), CHOICE_NAME_LIMIT), value=f.key
            )
            for f in (
                store.get(key)
                for key in catalogue.matching(
                    current.strip().casefold(), self.knowledge.index, AUTOCOMPLETE_LIMIT * 4
                )
            )
            if retracted is None or f.retracted == retracted
        ][:AUTOCOMPLETE_LIMIT]

    @app_commands.check(moderators)
    async def live_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._key_choices(interaction, current, retracted=False)

    @app_commands.check(moderators)
    async def retracted_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._key_choices(interaction, current, retracted=True)

    @app_commands.check(moderators)
    async def any_keys(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._key_choices(interaction, current, retracted=None)
