"""Deciding on a query: one fact answers it, several fit about equally, or none does.

The verdict is a sequence of named steps (:class:`Step`), each a filter that fired, and
:meth:`knowledge.search.index.SearchIndex.explain` reports those same steps, so an explanation
cannot contradict its verdict. The claim-level checks behind them (does the fact state a
figure, a sum of money, a date; say the query's words in order; reverse `A gives B`) live
here; every threshold is read from the index's :class:`knowledge.search.config.SearchConfig`.
A check that needs only the query and a fact is a plain function; the verdict and the checks
that read the index's postings, names or claim readings are a mixin of
:class:`knowledge.search.index.SearchIndex`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from knowledge.model import Fact
from knowledge.search.config import SearchConfig
from knowledge.search.reading import _GUESS, _SURE_READINGS, _filler, _Group, _IndexState, _Query
from knowledge.search.roles import Reading, read
from knowledge.search.scoring import _Scored
from knowledge.search.textnorm import fold, is_number, words
from knowledge.search.wordforms import COUNT_WORDS, CURRENCY_WORDS, MONTHS, UNIT_WORDS, stem

VERDICTS = ("answer", "several", "none")


def _states_figure(q: _Query, fact: Fact, config: SearchConfig) -> bool:
    """The fact's claim gives a count or amount (not a date) within a few words of a query word:
    `92 ... cargo flights` answers "how many flights", `flights ended on 31 March 2019` does not;
    and it says the year asked, if any (92 flights since 2016 is no count for 2022). A figure the
    query itself gives is not the count it asks for: "how many tonnes did the 92 flights carry"."""
    claim, reach = words(fact.claim), config.figure_reach
    if q.years and not any(str(y) in claim for y in range(q.years[0], q.years[1] + 1)):
        return False
    readings = {t for g in q.groups if not g.numeric for alt in g.alternatives for t in alt.terms}
    named = {fold(m) for m in _DESIGNATION_RE.findall(fact.claim)}  # `LAR-160` names, not counts
    named.update(g.word for g in q.groups if g.numeric)  # the query's own figures
    for i, word in enumerate(claim):
        if not (is_number(word) or word in COUNT_WORDS) or word in named or f"{claim[i - 1]}-{word}" in named:
            continue
        # A date, not a figure: a year, or a day beside its month (`31 March 2019`)
        dated = word.isdigit() and (_is_year(word) or any(w in MONTHS for w in claim[max(0, i - 1) : i + 2]))
        if not dated and any(stem(w) in readings for w in claim[max(0, i - reach) : i + reach + 1]):
            return True
    return False


_DESIGNATION_RE = re.compile(r"[^\W\d_]+-\d+")


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word.startswith(("19", "20"))


def _states_money(q: _Query, fact: Fact, config: SearchConfig) -> bool:
    """The fact's claim states a sum of money: a currency within a few words of a figure
    ("USD 3.5 billion", "billions of dollars"), not a count ("about 50 LORA missiles")."""
    claim = words(fact.claim)
    for i, word in enumerate(claim):
        near = claim[max(0, i - 3) : i + 4]
        if word in CURRENCY_WORDS and any(is_number(w) or w in COUNT_WORDS for w in near):
            return True
    return "$" in fact.claim


def _states_date(q: _Query, fact: Fact, config: SearchConfig) -> bool:
    """The fact says when: it has a period, or its claim names a year or a month
    ("when was the archive stolen" is not answered by a claim that never says when)."""
    return bool(fact.period) or any(w in MONTHS or _is_year(w) for w in words(fact.claim))


@dataclass(frozen=True, slots=True)
class Step:
    """One named step of the verdict that fired: what it did, and the facts it took out or chose."""

    name: str
    said: str
    keys: tuple[str, ...] = ()


@dataclass(slots=True)
class Decision:
    verdict: str
    chosen: list[_Scored]
    steps: list[Step] = field(default_factory=list)


_SHOWN = 5  # facts a step names


# Scoring's notes on a fact, each lowering its confidence, as steps.
_NOTES = {
    "matches only a year": "a fact matching the query's year but none of its words is at most a suggestion",
    "lacks a name asked for": "a name the query asks for that few facts use is not in its own words",
    "matches only common words": "it says none of the query's words that few facts use, only common ones",
    "role contradicted": "the claim states a query's parties the other way round, or its place elsewhere",
}
# What a question asks for, and the step that keeps only facts stating it.
_CONSTRAINTS = {
    "counting": ("needs a figure", "“how many” is answered only by a fact stating a figure", _states_figure),
    "dating": ("needs a date", "“when” is answered only by a fact that says when", _states_date),
    "pricing": ("needs money", "a price is answered only by a fact stating a sum", _states_money),
}


def _fields_keys(fact: Fact) -> list[list[str]]:
    """The form keys of the fact's key, aliases and claim, one list per field, filler left out."""
    return [
        [stem(w) for w in words(text) if not _filler(w)] for text in (fact.key, *fact.aliases, fact.claim)
    ]


def _alias_keys(fact: Fact) -> set[tuple[str, ...]]:
    """The form keys of each of the fact's aliases."""
    return {tuple(stem(w) for w in words(alias)) for alias in fact.aliases}


class _Deciding(_IndexState):
    """The verdict and the claim-level checks of :class:`knowledge.search.index.SearchIndex`."""

    def _decide(self, q: _Query, ranked: list[_Scored]) -> Decision:
        """The verdict, the facts it is about (the answer first, or those fitting about equally) and
        every named step that shaped it, in order: :meth:`explain` reports these same steps."""
        steps: list[Step] = []

        def keys(items: list[_Scored]) -> tuple[str, ...]:
            return tuple(self._facts[s.fid].key for s in items[:_SHOWN])

        def keep(name: str, said: str, items: list[_Scored], kept: list[_Scored]) -> list[_Scored]:
            """``kept``, those of ``items`` that pass step ``name``: a step that takes any out is one."""
            if len(kept) < len(items):
                taken = {id(s) for s in kept}
                steps.append(Step(name, said, keys([s for s in items if id(s) not in taken])))
            return kept

        exact = [s for s in ranked if s.exact]
        if exact:  # a key, an alias or an asked-as phrase, whatever the base's size
            steps.append(Step("named exactly", "the query is a key, alias or asked-as phrase", keys(exact)))
        elif all(g.numeric for g in q.groups):
            steps.append(Step("numbers only", "a bare number or year says nothing about which fact"))
            return Decision("none", [], steps)
        elif all(g.alternatives and all(a.how == _GUESS for a in g.alternatives) for g in q.groups):
            steps.append(Step("only a guess", "every word is read only as a typo of another word's synonym"))
            return Decision("none", [], steps)
        noted: dict[str, list[_Scored]] = {}
        for item in ranked:
            for note in item.notes:
                noted.setdefault(note, []).append(item)
        steps += [Step(note, said, keys(noted[note])) for note, said in _NOTES.items() if note in noted]
        needed = self._needed(q)
        said = f"a fact's own words must cover {100 * needed:.0f}% of the query's weight"
        rest = [s for s in ranked if not s.exact]
        sure = keep("below the answer threshold", said, rest, [s for s in rest if s.confidence >= needed])
        said = "its own period leaves out a year asked for"
        sure = keep("dated elsewhere", said, sure, [s for s in sure if not s.dated_elsewhere])
        said = "a figure or unit of measure the query states must be in the fact's own words"
        sure = keep("figure not the fact's", said, sure, [s for s in sure if self._says_figures(q, s.fid)])
        for name, said, states in (c for asked, c in _CONSTRAINTS.items() if getattr(q, asked)):
            sure = keep(name, said, sure, [s for s in sure if states(q, self._facts[s.fid], self._config)])
        if exact:  # named by its key or an alias; the others that fit follow it
            return Decision("answer" if len(exact) == 1 else "several", [*exact, *sure], steps)
        if not sure:
            return Decision("none", [], steps)
        sure.sort(key=lambda s: (-s.score, self._facts[s.fid].key))
        top = max(s.confidence for s in sure)
        margin = self._config.several_margin
        close = [s for s in sure if s.confidence >= top - margin]
        if len(close) > 1 and self._broad(q, close):
            said = f"every word is in many facts; {len(close)} within {100 * margin:.0f} points"
            steps.append(Step("broad", said, keys(close)))
            return Decision("several", close, steps)
        if len(close) > 1 and (guess := self._guessed_apart(q, close)):
            said = f"`{guess}` is misspelt, and each of these facts reads it as another word"
            steps.append(Step("typo read apart", said, keys(close)))
        elif len(close) > 1:
            lifted = [(s, self._evidence(q, s.fid)) for s in close]
            if any(lift for _, lift in lifted):
                said = "names as typed, words in order or the claim's subject add to confidence"
                steps.append(Step("name and phrase boost", said, keys([s for s, lift in lifted if lift])))
                final = {s.fid: s.confidence + lift for s, lift in lifted}
                best = max(final.values())
                close = [s for s in close if final[s.fid] >= best - margin]
                close.sort(key=lambda s: -final[s.fid])
                chosen = {id(s) for s in close}
                sure = [*close, *(s for s in sure if id(s) not in chosen)]
        if len(close) == 1:
            said = "one fact reaches the threshold and no other comes within the margin"
            steps.append(Step("answer", said, keys(close)))
            return Decision("answer", sure, steps)
        said = f"{len(close)} facts within {100 * margin:.0f} points"
        steps.append(Step("within the margin", said, keys(close)))
        return Decision("several", close, steps)

    def _broad(self, q: _Query, close: list[_Scored]) -> bool:
        """Every word of ``q`` is in many of the facts (none rare, a year or a fact's name),
        and no filler links them: `arms for oil` states a relation a fact may say in that order,
        `israeli drones` only a topic."""
        if q.linked or q.named or any(g.year is not None or not g.alternatives for g in q.groups):
            return False
        least = self._config.common_share * len(self._facts)
        # A word is as spread as its most used sure reading: `azerbaijani` also reads
        # `azerbaijan`, and `crude` reads `oil`, so neither is rare.
        sure = [[alt for alt in g.alternatives if alt.how in _SURE_READINGS] for g in q.groups]
        spread = (max((min(map(self._df, alt.terms)) for alt in alts), default=0) for alts in sure)
        # Whether a word names one of the close facts stems their aliases: asked last, as it costs
        # the most when many facts are close.
        return all(count >= least for count in spread) and not any(
            self._names_fact(g, close) for g in q.groups
        )

    def _guessed_apart(self, q: _Query, close: list[_Scored]) -> str | None:
        """A query word read only as a typo that the close facts say as different words (`аэропрот`:
        one says airport, another airfield): a guess cannot choose between them, so no boost may."""
        for g in q.groups:
            if g.alternatives and all(alt.how.startswith("typo") for alt in g.alternatives):
                read = {
                    next((a.terms for a in g.alternatives if self._says(s.fid, a.terms)), None) for s in close
                }
                if len(read) > 1:
                    return g.word
        return None

    def _says(self, fid: int, terms: tuple[str, ...]) -> bool:
        """The fact's own words (not its sources or details) say every one of the form keys ``terms``."""
        return all(self._weights(t, {fid: None}, 1.0, 1.0).get(fid, (0.0, 0.0))[1] for t in terms)

    def _names_fact(self, group: _Group, close: list[_Scored]) -> bool:
        """The query word is a fact's name as typed, in another script (`ovda`, `לעובדה`) or as
        the synonym it first reads as (a moderator's `sandport` for `ovda`)."""
        named = bool(self._named(group.word)) or any(alt.how == "another name" for alt in group.alternatives)
        return named or any(group.alternatives[0].terms in _alias_keys(self._facts[s.fid]) for s in close)

    def _needed(self, q: _Query) -> float:
        """The confidence an answer to ``q`` needs: less for a question of many words."""
        c = self._config
        return c.long_answer_confidence if len(q.groups) >= c.long_query else c.answer_confidence

    def _says_figures(self, q: _Query, fid: int) -> bool:
        """Every figure of the query other than a year, and every unit of measure it names (`km`,
        `tonnes`), is in the fact's own words."""
        return all(
            self._says(fid, (stem(g.word),))
            for g in q.groups
            if g.year is None and (is_number(g.word) or g.word in UNIT_WORDS)
        )

    def _evidence(self, q: _Query, fid: int) -> float:
        """What lifts a fact above others that cover the query as well, as a share of confidence
        (edismax's name boost and phrase boost): query words that are one of its names as typed
        (`harrop`), the query's words said in the query's order where a filler links them (`arms
        for oil`), and the query's leading name being the claim's subject (`what did armenia do
        about the harop strike`: Armenia protested, not the drone that struck)."""
        c = self._config
        total = sum(g.weight for g in q.groups) or 1.0
        names = _alias_keys(self._facts[fid])
        called = sum(g.weight for g in q.groups if any(alt.terms in names for alt in g.alternatives))
        lift = called / total + (self._in_order(q, fid) if q.linked else 0.0) + self._led_by(q, fid)
        return c.boost * lift

    def _in_order(self, q: _Query, fid: int) -> float:
        """The share of neighbouring pairs of query words the fact says next to each other, in order."""
        readings = [
            {t for alt in g.alternatives for t in alt.terms}
            for g in q.groups
            if g.alternatives and not g.numeric
        ]
        if len(readings) < 2:
            return 0.0
        fields = _fields_keys(self._facts[fid])
        said = [pair for keys in fields for pair in pairwise(keys)]
        count = sum(any(a in left and b in right for a, b in said) for left, right in pairwise(readings))
        return count / (len(readings) - 1)

    def _led_by(self, q: _Query, fid: int) -> int:
        """1 when the query's first word is a name and the claim's first name is that one. Only for
        three words or more besides years: in `ovda 2020` the name is the topic, not who acted."""
        worded = [g for g in q.groups if g.year is None]
        if len(worded) < 3:  # a sentence, not a name and a year
            return 0
        first = worded[0]
        # a misspelt name is the name it is a typo of (`armnia` is Armenia)
        typos = [t for a in first.alternatives if a.how == "typo" for t in a.terms]
        if not any(map(self._is_name, [stem(first.word.split()[0]), *typos])):
            return 0
        subject = self._claim_reading(fid).subject
        return int(subject is not None and any(subject in alt.terms for alt in first.alternatives))

    def _claim_reading(self, fid: int) -> Reading:
        """What the fact's claim says of its names, read once per version of the fact."""
        claimed = self._claim_roles.get(fid)
        if claimed is None:
            claimed = self._claim_roles[fid] = read(self._facts[fid].claim, self._is_name)
        return claimed

    def _misread_roles(self, q: _Query, asked_roles: Reading, fid: int) -> list[_Group]:
        """The names of the query whose role the fact states otherwise: the parties of `A gives B`
        when it says B gives A about the same thing (`Azerbaijan sells weapons to Israel` against
        "Israel sells Azerbaijan weapons"), and the place of `in P` when it puts things in
        another place only (`embassy in Baku` against "its embassy in Tel Aviv"). They count as not
        found in that fact. ``asked_roles``: what the query says of its names."""
        claimed = self._claim_reading(fid)
        groups = {stem(w): g for g in q.groups for w in g.word.split()}

        def reads(key: str) -> set[str]:
            group = groups.get(key)
            return {key} | ({t for alt in group.alternatives for t in alt.terms} if group else set())

        wrong: list[_Group] = []
        if claimed.places:
            # Only a place the claim does name, but not as where things are: a place it never
            # names is not found anyway, and may hold the claim's (Tel Aviv is in Israel).
            for place in asked_roles.places:
                where = reads(place)
                if where & claimed.keys and not where & claimed.places and (group := groups.get(place)):
                    wrong.append(group)
        # Each party's role in the claim: giver or receiver, with what the clause is about.
        roles: list[tuple[str, bool, frozenset[str]]] = []
        for c in claimed.directions:
            roles += [(c.giver, True, c.about), (c.receiver, False, c.about)]
        for asked in asked_roles.directions:
            about = set().union(*map(reads, asked.about)) if asked.about else set()
            for party, gives in ((asked.giver, True), (asked.receiver, False)):
                known = reads(party)
                stated = [(role, topic) for key, role, topic in roles if key in known]
                same = [topic for role, topic in stated if role == gives]
                other = [topic for role, topic in stated if role != gives]
                if same and other and about:  # the claim says both (oil one way, arms the other)
                    same = [t for t in same if about & t]
                    other = [t for t in other if about & t]
                if other and not same and (group := groups.get(party)) is not None:
                    wrong.append(group)
        return wrong
