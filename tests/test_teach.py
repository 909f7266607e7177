"""The desk teaches the base its own words, through Discord: a reporter's question finds no fact,
they press the fact offered, a moderator sees the pick in /factadmin gaps and teaches it, and from
then on that question and ones close to it answer with that fact, after a restart too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from simcord import ChannelHandle, Env, GuildHandle, MemberActor

from handlers.render import BUTTON_LABEL_LIMIT, choice_name, clip
from tests.test_admin import button_labels, factadmin_command, store_of, text_of
from tests.test_admin_forged import press, slash
from tests.test_lookup import footer_key

pytestmark = pytest.mark.simcord(strict_sync=False)

# A real miss on the shipped base (checked below, not assumed): the Ovda flights fact is offered.
QUESTION = "why do planes fly at night to ovda"
REWORDED = "Why do the planes fly to Ovda at night?"
FACT = "silk-way-ovda-flights"


def offered(env: Env) -> str:
    """The label of the button offering FACT."""
    return clip(choice_name(store_of(env).get(FACT)), BUTTON_LABEL_LIMIT)


async def ask_and_pick(env: Env, channel: ChannelHandle, reporter: MemberActor) -> Any:
    asked = await reporter.slash(channel, "facts", query=QUESTION)
    assert asked.response.content.startswith(f"No fact matches “{QUESTION}”")
    picked = await reporter.click(asked.response, label=offered(env))
    assert footer_key(picked) == FACT  # the asker's message became the fact's card
    return asked


async def assert_answers(channel: ChannelHandle, reporter: MemberActor, *queries: str) -> None:
    for query in queries:
        answer = await reporter.slash(channel, "facts", query=query)
        assert answer.response.embeds, f"{query!r}: {answer.response.content}"
        assert footer_key(answer) == FACT, query


async def test_a_pick_taught_by_a_moderator_answers_the_question_and_close_ones_after_a_restart(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    manager: MemberActor,
    restart: Callable[[], Any],
) -> None:
    await ask_and_pick(simcord_env, channel, staff)
    gaps = await manager.slash(channel, "factadmin gaps")
    lines = text_of(gaps).splitlines()
    assert lines[1].startswith(f"1. “{QUESTION}” — asked by 1 person, 1×")
    assert lines[2] == f"   ↳ picked: `{FACT}` (picked by 1 person)"

    taught = await manager.slash(channel, "factadmin teach", question=QUESTION, key=FACT)
    assert text_of(taught).startswith(f"Taught `{FACT}` (now version 2): “{QUESTION}” and questions close")
    fact = store_of(simcord_env).get(FACT)
    assert fact.asked_as == (QUESTION,)
    assert fact.updated_by == f"{manager.name} ({manager.id})"

    await assert_answers(channel, other_staff, QUESTION, REWORDED)
    history = await manager.slash(channel, "factadmin history", key=FACT)
    assert f"**teach** by {manager.name} ({manager.id}) — now answers “{QUESTION}”" in (
        history.response.embeds[0].description
    )
    after_teaching = text_of(await manager.slash(channel, "factadmin gaps"))
    assert (
        f"“{QUESTION}” — asked by 1 person, 1×" in after_teaching and f"taught to `{FACT}`" in after_teaching
    )

    await restart()
    await assert_answers(channel, other_staff, QUESTION, REWORDED)
    assert store_of(simcord_env).get(FACT).asked_as == (QUESTION,)


async def test_picks_alone_change_nothing(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, other_staff: MemberActor
) -> None:
    await ask_and_pick(simcord_env, channel, staff)
    await ask_and_pick(simcord_env, channel, other_staff)
    again = await staff.slash(channel, "facts", query=QUESTION)
    assert again.response.content.startswith("No fact matches")
    [gap] = simcord_env.bot.knowledge.gaps.ranked()
    assert (gap.people, gap.times, [(p.key, p.people) for p in gap.picks]) == (2, 3, [(FACT, 2)])


async def test_a_suggestion_pressed_after_a_restart_records_its_pick(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, restart: Callable[[], Any]
) -> None:
    asked = await staff.slash(channel, "facts", query=QUESTION)
    bot = await restart()
    picked = await staff.click(asked.response, label=offered(simcord_env))
    assert footer_key(picked) == FACT
    [gap] = bot.knowledge.gaps.ranked()
    assert [(p.key, p.people) for p in gap.picks] == [(FACT, 1)]


async def test_a_suggestion_from_before_picks_were_logged_still_opens_and_records_nothing(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookup = simcord_env.bot.get_cog("Lookup")
    # The buttons of the version before this one: (asker, key, query), no ask id, as the running
    # bot's own module (its extension) builds a list without an ask id.
    module = sys.modules[type(lookup).__module__]
    picks = module.picks
    monkeypatch.setattr(module, "picks", lambda owner, facts, query, _ask: picks(owner, facts, query))
    asked = await staff.slash(channel, "facts", query=QUESTION)
    monkeypatch.undo()
    picked = await staff.click(asked.response, label=offered(simcord_env))
    assert footer_key(picked) == FACT
    [gap] = simcord_env.bot.knowledge.gaps.ranked()
    assert gap.picks == ()


async def test_the_teach_button_under_gaps_teaches_the_most_picked_fact(
    simcord_env: Env,
    channel: ChannelHandle,
    staff: MemberActor,
    other_staff: MemberActor,
    manager: MemberActor,
    restart: Callable[[], Any],
) -> None:
    await ask_and_pick(simcord_env, channel, staff)
    gaps = await manager.slash(channel, "factadmin gaps")
    assert button_labels(gaps.response) == [f"Teach 1 → {FACT}"]
    await restart()  # the button keeps what it teaches in its custom_id and the query log

    refused = press(simcord_env, staff, channel, gaps.response, f"Teach 1 → {FACT}")  # a forged press
    await simcord_env.settle()
    assert refused.ephemeral and "moderator" in text_of(refused).lower()
    assert store_of(simcord_env).get(FACT).asked_as == ()

    taught = await manager.click(gaps.response, label=f"Teach 1 → {FACT}")
    assert text_of(taught).startswith(f"Taught `{FACT}`")
    await assert_answers(channel, other_staff, QUESTION)
    assert button_labels((await manager.slash(channel, "factadmin gaps")).response) == []  # taught


async def test_teaching_twice_or_bad_input_is_refused_and_changes_nothing(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await manager.slash(channel, "factadmin teach", question=QUESTION, key=FACT)
    before = store_of(simcord_env).get(FACT)
    again = await manager.slash(channel, "factadmin teach", question=QUESTION.upper(), key=FACT)
    assert text_of(again) == (
        f"Nothing was saved (fact `{FACT}`). Please fix:\n"
        f"• `question`: `{FACT}` already answers “{QUESTION.upper()}”"
    )
    other = await manager.slash(channel, "factadmin teach", question=QUESTION, key="ovda-explosives-airfield")
    assert f"“{QUESTION}” was already taught to `{FACT}`" in text_of(other)
    too_long = slash(simcord_env, manager, channel, "teach", question="q" * 201, key=FACT)
    await simcord_env.settle()
    assert "`question`: is 201 characters; at most 200 are allowed" in text_of(too_long)
    missing = await manager.slash(channel, "factadmin teach", question=QUESTION, key="no-such-fact")
    assert text_of(missing) == "No fact has the key `no-such-fact`."
    assert store_of(simcord_env).get(FACT) == before


async def test_only_moderators_may_teach(
    simcord_env: Env, guild: GuildHandle, channel: ChannelHandle, staff: MemberActor
) -> None:
    # A server admin let this reporter see /factadmin: the case the run-time check is for.
    guild.set_command_permissions(await factadmin_command(simcord_env), {staff: True})
    refused = slash(simcord_env, staff, channel, "teach", question=QUESTION, key=FACT)
    await simcord_env.settle()
    assert refused.ephemeral and "moderator" in text_of(refused).lower()
    assert store_of(simcord_env).get(FACT).asked_as == ()
    assert await staff.autocomplete(channel, "factadmin teach", "question", "") == []


async def test_teach_autocomplete_offers_untaught_questions_and_the_picked_facts_first(
    simcord_env: Env, channel: ChannelHandle, staff: MemberActor, manager: MemberActor
) -> None:
    await ask_and_pick(simcord_env, channel, staff)
    await staff.slash(channel, "facts", query="zebra pancake telescope")
    questions = await manager.autocomplete(channel, "factadmin teach", "question", "ovda")
    assert [c["value"] for c in questions] == [QUESTION]
    keys = await manager.autocomplete(channel, "factadmin teach", "key", "", question=QUESTION)
    assert keys[0]["value"] == FACT
    await manager.slash(channel, "factadmin teach", question=QUESTION, key=FACT)
    questions = await manager.autocomplete(channel, "factadmin teach", "question", "")
    assert [c["value"] for c in questions] == ["zebra pancake telescope"]


async def test_the_edit_form_shows_taught_questions_under_the_aliases_and_saves_changes(
    simcord_env: Env, channel: ChannelHandle, manager: MemberActor
) -> None:
    await manager.slash(channel, "factadmin teach", question=QUESTION, key=FACT)
    await manager.slash(channel, "factadmin teach", question="who flies to ovda at night", key=FACT)
    fact = store_of(simcord_env).get(FACT)
    form = await manager.slash(channel, "factadmin edit", key=FACT)
    inputs = {row["components"][0]["custom_id"]: row["components"][0] for row in form.modal["components"]}
    assert len(inputs) == 5
    aliases = "\n".join(fact.aliases)
    assert inputs["aliases"]["value"] == f"{aliases}\nasked as:\n{QUESTION}\nwho flies to ovda at night"
    saved = await manager.submit_modal(
        form, {"claim": fact.claim, "aliases": f"{aliases}\nasked as:\n{QUESTION}"}
    )
    assert text_of(saved).startswith(f"Saved `{FACT}`")
    after = store_of(simcord_env).get(FACT)
    assert (after.aliases, after.asked_as) == (fact.aliases, (QUESTION,))

    form = await manager.slash(channel, "factadmin edit", key=FACT)
    bad = await manager.submit_modal(
        form, {"claim": fact.claim, "aliases": f"{aliases}\nasked as:\n{'x' * 201}"}
    )
    assert "`Aliases (asked as) (entry 1)`: is 201 characters; at most 200 are allowed" in text_of(bad)
    assert store_of(simcord_env).get(FACT) == after
