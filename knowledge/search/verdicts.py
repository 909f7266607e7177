"""Deciding on a query: one fact answers it, several fit about equally, or none does.

Split from :mod:`knowledge.search.index`, which had grown to 1,250 lines: the verdict and the
claim-level checks behind it (does the fact state a figure, a sum of money, a date; say the
query's words in order; give `X's Y` another owner; reverse `A gives B`) are one concern, the
one calibrated by ``bench/calibrate.py``, which sets the thresholds below on this module; they
are read here at call time. A check that needs only the query and a fact is a plain function;
the verdict and the checks that read the index's postings, names or claim readings are a mixin
of :class:`knowledge.search.index.SearchIndex`.
"""

from __future__ import annotations

from array import array
from itertools import pairwise

from knowledge.model import Fact
from knowledge.search.reading import _SURE_READINGS, _filler, _Group, _Query
from knowledge.search.roles import Reading, read
from knowledge.search.scoring import _OWN_WEIGHT, _Scored
from knowledge.search.textnorm import is_number, words
from knowledge.search.wordforms import COUNT_WORDS, CURRENCY_WORDS, MONTHS, stated_owners, stem, typed_words

# Verdicts, on confidence (0..1, the share of the query's weight found in the
# fact's own words): calibrated on bench/eval/queries.tsv (see README).
ANSWER_CONFIDENCE = 0.78
SEVERAL_MARGIN = 0.1
# A query of _LONG_QUERY or more words (a reporter's whole question) needs only
# LONG_ANSWER_CONFIDENCE: two words of seven that the fact says otherwise are weaker evidence
# against it than one of two, and a fact matching the other five is no coincidence. Both chosen
# by bench/calibrate.py on the tuning sets.
_LONG_QUERY = 7
LONG_ANSWER_CONFIDENCE = 0.65
VERDICTS = ("answer", "several", "none")
# A query whose every word is in at least this share of the facts (`israeli drones`,
# `baku flights`) is broad: many facts fit it, and one saying its words in order or
# carrying them in its key is chance, not the answer (the broad-word rule of issue 11).
_BROAD_SHARE = 0.15
_FIGURE_REACH = 5  # words between a figure and what it counts


def _states_figure(q: _Query, fact: Fact) -> bool:
    """The fact's claim gives a count or amount (not a date) within a few words of a query word:
    `92 ... cargo flights` answers "how many flights", `flights ended on 31 March 2019` does not."""
    claim = words(fact.claim)
    readings = {t for g in q.groups if not g.numeric for alt in g.alternatives for t in alt.terms}
    for i, word in enumerate(claim):
        if not (is_number(word) or word in COUNT_WORDS):
            continue
        near = claim[max(0, i - 1) : i + 2]
        if word.isdigit() and (
            (len(word) == 4 and word.startswith(("19", "20"))) or any(w in MONTHS for w in near)
        ):
            continue  # a year or a day of a month: a date, not a figure
        if any(stem(w) in readings for w in claim[max(0, i - _FIGURE_REACH) : i + _FIGURE_REACH + 1]):
            return True
    return False


def _states_money(fact: Fact) -> bool:
    """The fact's claim states a sum of money: a currency within a few words of a figure
    ("USD 3.5 billion", "billions of dollars"), not a count ("about 50 LORA missiles")."""
    claim = words(fact.claim)
    for i, word in enumerate(claim):
        if word in CURRENCY_WORDS:
            near = claim[max(0, i - 3) : i + 4]
            if any(is_number(w) or w in COUNT_WORDS for w in near):
                return True
    return "$" in fact.claim


def _states_date(fact: Fact) -> bool:
    """The fact says when: it has a period, or its claim names a year or a month
    ("when was the archive stolen" is not answered by a claim that never says when)."""
    claim = words(fact.claim)
    return bool(fact.period) or any(
        w in MONTHS or (len(w) == 4 and w.isdigit() and w.startswith(("19", "20"))) for w in claim
    )


def _linked(q: _Query) -> bool:
    """A filler word stands between the query's first and last content words (`arms for oil`)."""
    kinds = [_filler(t.word) for t in typed_words(q.text)]
    content = [i for i, filler in enumerate(kinds) if not filler]
    return bool(content) and any(kinds[content[0] : content[-1]])


def _fields_keys(fact: Fact) -> list[list[str]]:
    """The form keys of the fact's key, aliases and claim, one list per field, filler left out."""
    return [
        [stem(w) for w in words(text) if not _filler(w)] for text in (fact.key, *fact.aliases, fact.claim)
    ]


def _alias_keys(fact: Fact) -> set[tuple[str, ...]]:
    """The form keys of each of the fact's aliases."""
    return {tuple(stem(w) for w in words(alias)) for alias in fact.aliases}


class _Deciding:
    """The verdict and the claim-level checks of :class:`knowledge.search.index.SearchIndex`, which
    owns the state named here and the lookups :meth:`_df`, :meth:`_named` and :meth:`_is_name`."""

    _facts: dict[int, Fact]
    _postings: dict[str, array[int]]
    _claim_roles: dict[int, Reading]

    def _decide(self, q: _Query, ranked: list[_Scored]) -> tuple[str, list[_Scored]]:
        """The verdict and the facts it is about (the answer first, or those fitting about equally)."""
        if all(g.numeric for g in q.groups):
            return "none", []  # a bare number or year says nothing about which fact
        needed = self._needed(q)
        sure = [s for s in ranked if s.confidence >= needed and not s.dated_elsewhere]
        if any(g.year is None and is_number(g.word) for g in q.groups):
            # A figure the query states must be the fact's: `1.6 billion` is not its 1.2 billion.
            sure = [s for s in sure if self._says_every_figure(q, s.fid)]
        if q.counting:
            sure = [s for s in sure if _states_figure(q, self._facts[s.fid])]
        if q.dating:
            sure = [s for s in sure if _states_date(self._facts[s.fid])]
        if q.pricing:
            sure = [s for s in sure if _states_money(self._facts[s.fid])]
        exact = [s for s in ranked if s.exact]
        if exact:  # named by its key or an alias; the others that fit follow it
            others = [s for s in sure if not s.exact]
            return ("answer" if len(exact) == 1 else "several"), [*exact, *others]
        if not sure:
            return "none", []
        sure.sort(key=lambda s: (-s.score, self._facts[s.fid].key))
        top = max(s.confidence for s in sure)
        close = [s for s in sure if s.confidence >= top - SEVERAL_MARGIN]
        if len(close) == 1:
            return "answer", sure
        # Several fit about equally well. One of them still stands out when a query word
        # is its name (`harrop 2016`: the Harop fact, not the protest about it), else when
        # it says the query's words in the query's order (`arms for oil`) -- unless the
        # query is broad, when every fact listed fits it as well.
        if self._broad(q, close):
            return "several", close
        # Saying the query's words in order singles a fact out only when a word links them
        # (`arms for oil`); two words side by side are a topic many facts may be about.
        linked = _linked(q)
        for standout in (self._led_by, self._called, *((self._in_order,) if linked else ())):
            marks = [standout(q, s.fid) for s in close]
            best = max(marks)
            if best and marks.count(best) == 1:
                chosen = close[marks.index(best)]
                return "answer", [chosen, *(s for s in sure if s is not chosen)]
        return "several", close

    def _broad(self, q: _Query, close: list[_Scored]) -> bool:
        """Every word of ``q`` is in many of the facts (none rare, a year or a fact's name),
        and no filler links them: `arms for oil` states a relation a fact may say in that order,
        `israeli drones` only a topic."""
        if _linked(q):
            return False
        if q.named or any(g.year is not None or not g.alternatives for g in q.groups):
            return False
        least = _BROAD_SHARE * len(self._facts)
        # A word is as spread as its most used sure reading: `azerbaijani` also reads
        # `azerbaijan`, and `crude` reads `oil`, so neither is rare.
        spread = (
            max(
                (min(map(self._df, alt.terms)) for alt in g.alternatives if alt.how in _SURE_READINGS),
                default=0,
            )
            for g in q.groups
        )
        # Whether a word names one of the close facts stems their aliases: asked last, as it costs
        # the most when many facts are close.
        return all(count >= least for count in spread) and not any(
            self._names_fact(g, close) for g in q.groups
        )

    def _names_fact(self, group: _Group, close: list[_Scored]) -> bool:
        """The query word is a fact's name as typed, in another script (`ovda`, `לעובדה`) or as
        the synonym it first reads as (a moderator's `sandport` for `ovda`)."""
        if self._named(group.word) or any(alt.how == "another name" for alt in group.alternatives):
            return True
        return any(group.alternatives[0].terms in _alias_keys(self._facts[s.fid]) for s in close)

    @staticmethod
    def _needed(q: _Query) -> float:
        """The confidence an answer to ``q`` needs: less for a question of many words."""
        return LONG_ANSWER_CONFIDENCE if len(q.groups) >= _LONG_QUERY else ANSWER_CONFIDENCE

    def _says_every_figure(self, q: _Query, fid: int) -> bool:
        """Every figure of the query other than a year is in the fact's own words."""
        return all(
            any(e >> 2 == fid and _OWN_WEIGHT[e & 3] > 0 for e in self._postings.get(g.word, ()))
            for g in q.groups
            if g.year is None and is_number(g.word)
        )

    def _in_order(self, q: _Query, fid: int) -> int:
        """How many neighbouring pairs of query words the fact says next to each other, in order."""
        readings = [
            {t for alt in g.alternatives for t in alt.terms}
            for g in q.groups
            if g.alternatives and not g.numeric
        ]
        fields = _fields_keys(self._facts[fid])
        count = 0
        for left, right in pairwise(readings):
            count += any(a in left and b in right for field_keys in fields for a, b in pairwise(field_keys))
        return count

    def _led_by(self, q: _Query, fid: int) -> int:
        """1 when the query's first word is a name and the claim's first name is that one: both
        are about what the same party did (`what did armenia do about the harop strike`: Armenia
        protested, not the drone that struck). Only for three words or more besides years: in
        `ovda 2020` the name is the topic, not who acted."""
        worded = [g for g in q.groups if g.year is None]
        first = worded[0] if len(worded) >= 3 else None  # a sentence, not a name and a year
        if first is None or not self._is_name(stem(first.word.split()[0])):
            return 0
        subject = self._claim_reading(fid).subject
        return int(subject is not None and any(subject in alt.terms for alt in first.alternatives))

    def _called(self, q: _Query, fid: int) -> int:
        """How many query words are one of the fact's one-word names (an alias such as `harop`)."""
        names = _alias_keys(self._facts[fid])
        return sum(any(alt.terms in names for alt in g.alternatives) for g in q.groups)

    def _owned_by_another(self, q: _Query, fid: int) -> list[_Group]:
        """The owners in the query's `X's Y` that the fact contradicts by giving Y another owner:
        `Armenia's arms imports` against "Azerbaijan's major arms imports", `Israel's embassy`
        against "the US embassy". Such an owner counts as not found in that fact, since the fact
        does say the word, but of something else."""
        stated = stated_owners(self._facts[fid].claim)
        contradicted = []
        for o, t in q.owned:
            owner = {key for alt in q.groups[o].alternatives for key in alt.terms}
            thing = {alt.terms[0] for alt in q.groups[t].alternatives}
            if any(z not in owner and thing.intersection(ws) for z, ws in stated):
                contradicted.append(q.groups[o])
        return contradicted

    def _claim_reading(self, fid: int) -> Reading:
        """What the fact's claim says of its names, read once per version of the fact."""
        claimed = self._claim_roles.get(fid)
        if claimed is None:
            claimed = self._claim_roles[fid] = read(self._facts[fid].claim, self._is_name)
        return claimed

    def _misread_roles(self, q: _Query, fid: int) -> list[_Group]:
        """The names of the query whose role the fact states otherwise: the parties of `A gives B`
        when it says B gives A about the same thing (`Azerbaijan sells weapons to Israel` against
        "Israel sells Azerbaijan weapons"), and the place of `in P` when it puts things in
        another place only (`embassy in Baku` against "its embassy in Tel Aviv"). Like a
        contradicted owner, they count as not found in that fact."""
        if not (q.roles.directions or q.roles.places):
            return []
        claimed = self._claim_reading(fid)
        groups = {stem(w): g for g in q.groups for w in g.word.split()}

        def reads(key: str) -> set[str]:
            group = groups.get(key)
            return {key} | ({t for alt in group.alternatives for t in alt.terms} if group else set())

        wrong: list[_Group] = []
        if claimed.places:
            # Only a place the claim does name, but not as where things are: a place it never
            # names is not found anyway, and may hold the claim's (Tel Aviv is in Israel).
            for place in q.roles.places:
                where = reads(place)
                if where & claimed.keys and not where & claimed.places and (group := groups.get(place)):
                    wrong.append(group)
        # Each party's role in the claim: giver or receiver, with what the clause is about.
        roles: list[tuple[str, bool, frozenset[str]]] = []
        for c in claimed.directions:
            roles += [(c.giver, True, c.about), (c.receiver, False, c.about)]
        for asked in q.roles.directions:
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
