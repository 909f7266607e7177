"""REVIEW_CHANNEL_ID: optional, a channel's numeric ID, refused clearly when malformed."""

from __future__ import annotations

import pytest

from bot import SettingsError, load_settings


def test_the_review_channel_is_optional() -> None:
    assert load_settings({}).review_channel_id is None
    assert load_settings({"REVIEW_CHANNEL_ID": "  "}).review_channel_id is None


def test_the_review_channel_is_read_as_a_channel_id() -> None:
    settings = load_settings({"REVIEW_CHANNEL_ID": " 123456789012345678 "})
    assert settings.review_channel_id == 123456789012345678


@pytest.mark.parametrize("value", ["#fact-review", "12345", "<#123456789012345678>"])
def test_a_malformed_review_channel_stops_start_up_saying_how_to_copy_it(value: str) -> None:
    with pytest.raises(
        SettingsError, match=r"REVIEW_CHANNEL_ID must be a channel's numeric ID.*Copy Channel ID"
    ):
        load_settings({"REVIEW_CHANNEL_ID": value})
