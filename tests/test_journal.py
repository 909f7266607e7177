"""The event journal under the review queue and the answer log: durable appends, crash-tolerant replay."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest

from knowledge import journal as journal_module
from knowledge.errors import WriteFailed
from knowledge.journal import Journal


def test_events_are_replayed_in_order(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    journal = Journal(path)
    for n in range(3):
        journal.append({"event": "n", "n": n, "text": "Ovda \ud800 “quoted”"})
    assert [e["n"] for e in Journal(path).replay()] == [0, 1, 2]
    assert next(Journal(path).replay())["text"] == "Ovda \ud800 “quoted”"


def test_a_cut_short_last_line_is_skipped_and_the_next_append_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    Journal(path).append({"n": 1})
    with path.open("ab") as out:
        out.write(b'{"n": 2, "cut sh')  # the crash
    journal = Journal(path)
    assert [e["n"] for e in journal.replay()] == [1]
    journal.append({"n": 3})
    assert [e["n"] for e in Journal(path).replay()] == [1, 3]


def test_a_damaged_line_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"n": 1}\nnot json\n[1, 2]\n{"n": 4}\n')
    with caplog.at_level(logging.WARNING):
        assert [e["n"] for e in Journal(path).replay()] == [1, 4]
    assert caplog.text.count("skipped an unreadable line") == 2


def test_a_refused_fsync_acknowledges_nothing_and_leaves_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.jsonl"
    journal = Journal(path)
    journal.append({"n": 1})

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_module.os, "fsync", full)
    with pytest.raises(WriteFailed, match="the disk is full"):
        journal.append({"n": 2})
    monkeypatch.undo()
    assert [e["n"] for e in Journal(path).replay()] == [1]  # a restart does not find the refused event
    journal.append({"n": 3})
    assert [e["n"] for e in Journal(path).replay()] == [1, 3]


def test_rewrite_replaces_the_journal_or_leaves_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.jsonl"
    journal = Journal(path)
    for n in range(5):
        journal.append({"n": n})
    journal.rewrite([{"n": 9}])
    assert [e["n"] for e in Journal(path).replay()] == [9]

    def refused(_src: object, _dst: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(journal_module.os, "replace", refused)
    with pytest.raises(WriteFailed, match="read-only"):
        journal.rewrite([{"n": 10}])
    assert [e["n"] for e in Journal(path).replay()] == [9]
    assert os.listdir(tmp_path) == ["events.jsonl"]  # no temp file left behind


def test_a_journal_without_a_path_keeps_nothing() -> None:
    journal = Journal(None)
    journal.append({"n": 1})
    assert list(journal.replay()) == []
