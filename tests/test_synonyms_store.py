"""Synonym groups moderators add: validated, attributed, in the history, kept across restarts and crashes."""

from __future__ import annotations

import asyncio
import errno
import os
from pathlib import Path

import pytest
from helpers.store_facts import ALICE, BOB, record

from knowledge.desk.synonyms import ADDED, MAX_WORDS, REMOVED, THESAURUS, SynonymStore
from knowledge.errors import (
    DuplicateSynonymGroup,
    InvalidSynonyms,
    KnowledgeError,
    SynonymGroupNotFound,
    WriteFailed,
)
from knowledge.newsroom import open_knowledge
from knowledge.store.changes import FactStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "facts.json"


def history_bytes(db: Path) -> bytes:
    log = Path(f"{db}.history.jsonl")
    return log.read_bytes() if log.exists() else b""


async def test_an_added_group_is_kept_attributed_across_a_restart(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        synonyms = SynonymStore(store)
        group = await synonyms.add_group(["Ovda", "Uvda"], ALICE, reason="Israeli spelling")
        assert group.words == ("ovda", "uvda") and group.added_by == ALICE.label
    with FactStore.open(db, seed=None) as again:
        reopened = SynonymStore(again)
        assert reopened.groups() == [("ovda", "uvda")]
        assert reopened.attributed() == [group]
        [entry] = again.history(THESAURUS)
        assert (entry.action, entry.actor, entry.reason) == (ADDED, ALICE.label, "Israeli spelling")
        assert entry.extra == {"words": ["ovda", "uvda"]}


async def test_a_removed_group_stays_removed_and_both_changes_are_in_the_history(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        synonyms = SynonymStore(store)
        await synonyms.add_group(["ovda", "uvda"], ALICE)
        await synonyms.add_group(["nevatim", "navatim"], ALICE)
        removed = await synonyms.remove_group(["UVDA", "ovda"], BOB, reason="not the same airbase")
        assert removed.words == ("ovda", "uvda")
        with pytest.raises(SynonymGroupNotFound):
            await synonyms.remove_group(["ovda", "uvda"], BOB)
        with pytest.raises(SynonymGroupNotFound):
            await synonyms.remove_group(["nevatim", "navatim", "nvatim"], BOB)  # not exactly a group
    with FactStore.open(db, seed=None) as again:
        assert SynonymStore(again).groups() == [("nevatim", "navatim")]
        assert [(e.action, e.actor) for e in again.history(THESAURUS)] == [
            (ADDED, ALICE.label),
            (ADDED, ALICE.label),
            (REMOVED, BOB.label),
        ]
        await SynonymStore(again).add_group(["ovda", "uvda"], ALICE)  # and it can come back
        assert SynonymStore(again).groups() == [("nevatim", "navatim"), ("ovda", "uvda")]


@pytest.mark.parametrize(
    "words",
    [
        ["Ovda", "עובדה"],
        ["עוֹבְדָה", "עובדה"],  # Hebrew with vowel points (marks)
        ["नमस्ते", "namaste"],  # Devanagari: vowel signs are marks
        ["Ελλάδα", "Greece"],
        ["٢٠٢٤", "2024"],
        ["İstanbul", "constantinople"],
        ["a" * 40, "b"],
    ],
)
async def test_words_of_letters_or_digits_in_any_script_are_accepted(db: Path, words: list[str]) -> None:
    with FactStore.open(db, seed=None) as store:
        group = await SynonymStore(store).add_group(words, ALICE)
        assert len(group.words) == len(words)
    with FactStore.open(db, seed=None) as again:
        assert SynonymStore(again).groups() == [group.words]


@pytest.mark.parametrize(
    ("words", "field", "says"),
    [
        (["ovda"], "words", "2 to 12 words"),
        ([f"w{i}" for i in range(MAX_WORDS + 1)], "words", "2 to 12 words"),
        (["ovda", "a" * 41], "words[1]", "longer than 40"),
        (["ovda", "  "], "words[1]", "is empty"),
        (["ovda", "uvda airbase"], "words[1]", "one word"),
        (["ovda", "u-vda"], "words[1]", "one word"),
        (["ovda", "@everyone"], "words[1]", "one word"),
        (["ovda", "\u0301ovda"], "words[1]", "one word"),  # a mark with no letter before it
        (["ovda", "OVDA"], "words[1]", "already in this group"),
        (["ovda", 7], "words[1]", "must be text"),
        ("ovda uvda", "words", "a list of words"),
    ],
)
async def test_a_bad_group_is_refused_naming_the_word_and_nothing_changes(
    db: Path, words: object, field: str, says: str
) -> None:
    with FactStore.open(db, seed=None) as store:
        synonyms = SynonymStore(store)
        await synonyms.add_group(["nevatim", "navatim"], ALICE)
        before = history_bytes(db)
        with pytest.raises(InvalidSynonyms) as caught:
            await synonyms.add_group(words, ALICE)  # type: ignore[arg-type]
        assert caught.value.problems[0].field == field
        assert says in str(caught.value) and "Nothing was saved" in str(caught.value)
        assert synonyms.groups() == [("nevatim", "navatim")]
        assert history_bytes(db) == before


async def test_the_same_group_in_another_order_or_case_is_a_duplicate(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        synonyms = SynonymStore(store)
        await synonyms.add_group(["ovda", "uvda"], ALICE)
        before = history_bytes(db)
        with pytest.raises(DuplicateSynonymGroup, match="ovda, uvda"):
            await synonyms.add_group(["UVDA", "Ovda"], BOB)
        assert history_bytes(db) == before
        await synonyms.add_group(["ovda", "uvda", "uvdah"], BOB)  # a bigger group is another group
        assert len(synonyms.groups()) == 2


async def test_the_thesaurus_history_is_apart_from_a_fact_keyed_thesaurus(db: Path) -> None:
    # `thesaurus` is a valid fact key; the subject key `~thesaurus` is not one.
    with FactStore.open(db, seed=None) as store:
        await store.add(record("thesaurus"), ALICE)
        await SynonymStore(store).add_group(["ovda", "uvda"], BOB)
        assert [e.action for e in store.history("thesaurus")] == ["add"]
        assert [e.action for e in store.history(THESAURUS)] == [ADDED]
        assert [e.key for e in store.history()] == ["thesaurus", THESAURUS]


async def test_a_change_cut_short_by_a_crash_is_not_replayed(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        await SynonymStore(store).add_group(["ovda", "uvda"], ALICE)
    with Path(f"{db}.history.jsonl").open("ab") as out:
        out.write(b'{"key": "~thesaurus", "action": "synonyms added", "actor": "alice (101)", "at": "20')
    with FactStore.open(db, seed=None) as store:
        synonyms = SynonymStore(store)
        assert synonyms.groups() == [("ovda", "uvda")]
        await synonyms.add_group(["nevatim", "navatim"], BOB)
    with FactStore.open(db, seed=None) as again:
        assert SynonymStore(again).groups() == [("ovda", "uvda"), ("nevatim", "navatim")]


async def test_a_refused_write_adds_nothing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FactStore.open(db, seed=None) as store:
        synonyms = SynonymStore(store)
        await synonyms.add_group(["ovda", "uvda"], ALICE)
        before = history_bytes(db)

        def full(_fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(WriteFailed, match="the disk is full"):
            await synonyms.add_group(["nevatim", "navatim"], BOB)
        with pytest.raises(WriteFailed):
            await synonyms.remove_group(["ovda", "uvda"], BOB)
        monkeypatch.undo()
        assert synonyms.groups() == [("ovda", "uvda")]
        assert history_bytes(db) == before
        await synonyms.add_group(
            ["nevatim", "navatim"], BOB
        )  # and the same change saves once the disk is fine
    with FactStore.open(db, seed=None) as again:
        assert SynonymStore(again).groups() == [("ovda", "uvda"), ("nevatim", "navatim")]


async def test_concurrent_changes_are_serialised_with_each_other_and_with_fact_writes(db: Path) -> None:
    with FactStore.open(db, seed=None) as store:
        synonyms = SynonymStore(store)
        seen: list[int] = []
        synonyms.subscribe(lambda groups: seen.append(len(groups)))
        results = await asyncio.gather(
            synonyms.add_group(["ovda", "uvda"], ALICE),
            synonyms.add_group(["uvda", "ovda"], BOB),  # the same group at the same moment
            *(synonyms.add_group([f"word{n}", f"other{n}"], ALICE) for n in range(10)),
            *(store.add(record(f"fact-{n}"), BOB) for n in range(5)),
            return_exceptions=True,
        )
        [refused] = [r for r in results if isinstance(r, Exception)]
        assert isinstance(refused, DuplicateSynonymGroup)
        assert len(synonyms.groups()) == 11 and len(store) == 5
        assert sorted(seen) == list(range(1, 12))
    with FactStore.open(db, seed=None) as again:
        assert sorted(SynonymStore(again).groups()) == sorted(synonyms.groups())
        assert len(again.history(THESAURUS)) == 11 and len(again) == 5


async def test_the_desk_opens_the_groups_with_the_store_and_names_an_unreadable_history(
    facts_db: Path,
) -> None:
    knowledge = open_knowledge(facts_db)
    try:
        await knowledge.synonyms.add_group(["ovda", "uvda"], ALICE)
    finally:
        knowledge.close()
    again = open_knowledge(facts_db)
    try:
        assert again.synonyms.groups() == [("ovda", "uvda")]
    finally:
        again.close()
    history = Path(f"{facts_db}.history.jsonl")
    history.rename(history.with_suffix(".moved"))
    history.mkdir()  # not a file: cannot be read
    with pytest.raises(KnowledgeError, match=r"Cannot read the moderators' synonym groups from the history"):
        open_knowledge(facts_db)
    history.rmdir()
    history.with_suffix(".moved").rename(history)
    open_knowledge(facts_db).close()  # the writer lock was released
