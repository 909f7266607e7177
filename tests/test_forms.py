"""The one seam on discord.py's private API: a form submitted after a restart (``resume_form``).

discord.py answers a submitted form only if this process sent it; the bot
rebuilds any other from its custom_id and runs it through discord.py's own
path for a live form, the private ``Modal._dispatch_submit``. These tests fail
if discord.py renames it, changes what it takes, or stops filling in the form's
values and calling its checks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import discord
import pytest
from simcord import ChannelHandle, Env, MemberActor
from simcord.enums import InteractionType

from handlers.forms import resume_form
from tests.test_admin import add, store_of, text_of
from tests.test_admin_forged import deliver

pytestmark = pytest.mark.simcord(strict_sync=False)


def test_discord_py_still_has_the_private_call_resume_form_relies_on() -> None:
    dispatch = getattr(discord.ui.Modal, "_dispatch_submit", None)
    assert dispatch is not None, (
        "discord.py no longer has Modal._dispatch_submit: see handlers.forms.resume_form"
    )
    assert list(inspect.signature(dispatch).parameters) == ["self", "interaction", "components", "resolved"]
    assert not inspect.iscoroutinefunction(dispatch)  # it schedules the form's task, which resume_form awaits
    assert "_dispatch_submit" in inspect.getsource(resume_form)  # the seam is still the one place calling it


async def test_a_form_resumed_after_a_restart_gets_its_values_and_its_checks(
    simcord_env: Env,
    channel: ChannelHandle,
    manager: MemberActor,
    moderator: MemberActor,
    restart: Callable[..., Any],
) -> None:
    await add(manager, channel, "test-resumed")
    form = await manager.slash(channel, "factadmin edit", key="test-resumed")
    await restart()
    # The form's interaction_check (only its moderator may submit it) runs through the private call.
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "claim", "value": "Not theirs."}]}]
    forged = deliver(
        simcord_env,
        moderator,
        channel,
        InteractionType.MODAL_SUBMIT,
        {"custom_id": form.modal["custom_id"], "components": rows},
    )
    await simcord_env.settle()
    assert forged.response.content.startswith("Only the moderator who opened this form")
    # The owner's submission: the values discord.py fills in are what is saved.
    saved = await manager.submit_modal(form, {"claim": "Resumed after the restart."})
    assert text_of(saved) == "Saved `test-resumed` (now version 2)."
    assert store_of(simcord_env).get("test-resumed").claim == "Resumed after the restart."
