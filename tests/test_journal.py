"""The event journal under the review queue and the answer log: durable appends, crash-tolerant replay."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.errors import WriteFailed
from knowledge.model import HistoryEntry
from knowledge.store.disk import journal as journal_module
from knowledge.store.disk.journal import Journal, LineLog
from knowledge.store.history import HistoryLog


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


# --- the one append rule, shared by the journal, the history and the query log ---


def test_a_line_log_gives_offsets_of_complete_lines_only(tmp_path: Path) -> None:
    path = tmp_path / "lines.log"
    log = LineLog(path)
    log.append([b"one", b"two"])
    with path.open("ab") as out:
        out.write(b"thr")  # an append cut short
    assert list(log.lines()) == [(0, b"one\n"), (4, b"two\n")]
    assert list(log.lines(4)) == [(4, b"two\n")]
    assert log.ends_mid_line()
    log.append([b"four"])
    assert [line for _, line in log.lines()] == [b"one\n", b"two\n", b"thr\n", b"four\n"]
    assert not log.ends_mid_line()


def test_an_append_that_fails_while_its_lines_are_made_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lines.log"
    log = LineLog(path)
    log.append([b"kept"])

    def lines() -> Iterator[bytes]:
        yield from (b"x" * 100 for _ in range(1000))  # several batches reach the file first
        raise TypeError("not JSON serialisable")

    with pytest.raises(TypeError):
        log.append(lines())
    assert path.read_bytes() == b"kept\n"


def test_a_history_read_during_a_refused_append_does_not_mislead_later_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index is built on the event loop while the writer thread appends: a reader may
    # index lines that the refused append then cuts off again.
    log = HistoryLog(tmp_path / "facts.json.history.jsonl")
    log.append([_entry("alpha")])
    assert [e.key for e in log.read("alpha")] == ["alpha"]
    real = os.fsync

    def read_then_refuse(fd: int) -> None:
        assert [e.key for e in log.read("beta-short")] == ["beta-short"]  # visible, not yet synced
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", read_then_refuse)
    with pytest.raises(OSError):
        log.append([_entry("beta-short")])
    monkeypatch.setattr(os, "fsync", real)
    log.append([_entry("gamma-with-a-longer-key")])
    assert log.read("beta-short") == []
    assert [e.key for e in log.read("gamma-with-a-longer-key")] == ["gamma-with-a-longer-key"]
    assert [e.key for e in log.read()] == ["alpha", "gamma-with-a-longer-key"]


def _entry(key: str) -> HistoryEntry:
    return HistoryEntry(
        key=key, action="add", actor="alice", at="2026-11-30T09:00:00+00:00", after={}, version=1
    )
