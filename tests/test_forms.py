"""The one seam on discord.py's private API: a form submitted after a restart (``resume_form``).

discord.py answers a submitted form only if this process sent it; the bot
rebuilds any other from its custom_id and runs it through discord.py's own
path for a live form, the private ``Modal._dispatch_submit``. These tests fail
if discord.py renames it, changes what it takes, or stops filling in the form's
values and calling its checks. Refusals by a resumed form's checks are in
``tests/test_restart.py`` and ``tests/test_desk_review.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, MemberActor

from handlers.forms import resume_form
from tests.test_admin import add, text_of

pytestmark = pytest.mark.simcord(strict_sync=False)


def test_discord_py_still_has_the_private_call_resume_form_relies_on() -> None:
    dispatch = getattr(discord.ui.Modal, "_dispatch_submit", None)
    assert dispatch is not None, (
        "discord.py no longer has Modal._dispatch_submit: see handlers.forms.resume_form"
    )
    assert list(inspect.signature(dispatch).parameters) == ["self", "interaction", "components", "resolved"]
    assert not inspect.iscoroutinefunction(dispatch)  # it schedules the form's task, which resume_form awaits
    assert "_dispatch_submit" in inspect.getsource(resume_form)  # the seam is still the one place calling it


async def test_each_kind_of_form_is_resumed_after_a_restart_with_what_was_typed(
    channel: ChannelHandle, staff: MemberActor, manager: MemberActor, restart: Callable[..., Any]
) -> None:
    await add(manager, channel, "test-resumed")
    edit_form = await manager.slash(channel, "factadmin edit", key="test-resumed")  # /factadmin's
    card = await staff.slash(channel, "facts", query="test-resumed")
    flag_form = await staff.click(card.response, label="Flag")  # the review workflow's
    bot = await restart()
    saved = await manager.submit_modal(edit_form, {"claim": "Resumed after the restart."})
    flagged = await staff.submit_modal(flag_form, {"problem": "The count is out of date."})
    assert text_of(saved) == "Saved `test-resumed` (now version 2)."
    assert "review item #1" in text_of(flagged)
    assert bot.knowledge.store.get("test-resumed").claim == "Resumed after the restart."
    assert bot.knowledge.queue.get(1).subject.problem == "The count is out of date."
