"""Who gives what to whom: the direction a sentence states between two named parties.

"Israel sells Azerbaijan weapons" and "Azerbaijan sells weapons to Israel" share
every word; only the direction differs, and a reporter asking the second must
not be told the first. :func:`directions` reads, clause by clause, the pairs
(giver, receiver) a text states, in form keys (:func:`knowledge.search.wordforms.stem`),
with the clause's other words, so that a query's pair can be checked against a
claim's: the same two parties the other way round, about the same thing,
contradict it.

It reads a few plain patterns, in English, the language the claims are written in:

- ``from X`` gives, ``to X`` / ``into X`` receives (not ``according to``, ``due to``...);
- the name just before a verb of giving (`sells`, `supplied`, `exports`) gives, and a name
  right after it receives ("sells Azerbaijan weapons");
- the name just before a verb of receiving (`bought`, `imports`) receives;
- in a clause with a receiver but no giver, its first name gives ("Armenia protested
  to Israel").

It also reads where a sentence puts things: the names right after ``in`` or ``at``
("its embassy in Tel Aviv", "landed at Israel's Ovda air base"), but not a date
("in April 2016"). A query's `embassy in baku` is not answered by a claim that
places it in Tel Aviv.

Only names count as parties (``is_name`` decides: search passes the words the base
writes with a capital). A pattern it does not know states no direction, so the
check only ever removes an answer that says the opposite, never adds one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.search.textnorm import ANALYZER, STOPWORDS, fold, is_number, words
from knowledge.search.wordforms import MONTHS, QUERY_FILLER, stem

# Verbs and nouns of giving and of receiving as form keys, and the words around a party.
GIVING = frozenset(stem(w) for w in ANALYZER["giving"])
RECEIVING = frozenset(stem(w) for w in ANALYZER["receiving"])
_TO, _AT, _FROM = frozenset(ANALYZER["to"]), frozenset(ANALYZER["at"]), frozenset(ANALYZER["from"])
_TRIGGERS = _TO | _AT | _FROM  # a query without one of these or a verb of giving states no role
_NOT_PLACE = frozenset(ANALYZER["not_place"])  # at least ...
_NOT_RECEIVING = frozenset(ANALYZER["not_receiving"])  # "according to SIPRI", "close to Iran"
_REACH = 3  # content words looked through for the party of a pattern
# Clauses end at a sentence's punctuation and before `that`: "a cable from Baku reported that
# Israeli firms sold equipment to Azerbaijan" is a cable's origin, then a sale.
_CLAUSE_RE = re.compile(r"[.;:!?]+(?:\s|$)|\bthat\b", re.IGNORECASE)
_POSSESSIVE_RE = re.compile(r"['’]s\b")
_TOKEN_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Reading:
    """What a text says of its names: who gives to whom, the places it puts things in, its first
    name (the subject: who the sentence is about) and all its words, as form keys."""

    directions: tuple[Direction, ...] = ()
    places: frozenset[str] = frozenset()
    subject: str | None = None
    keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Direction:
    """One clause's statement that ``giver`` gives to ``receiver``; ``about``: its other words."""

    giver: str
    receiver: str
    about: frozenset[str]


def _content(word: str) -> bool:
    return word not in STOPWORDS and word not in QUERY_FILLER and word not in MONTHS and not is_number(word)


def names(claim: str) -> set[str]:
    """The form keys of the words ``claim`` writes with a capital: the parties it can name."""
    return {stem(fold(t)) for t in _TOKEN_RE.findall(claim) if t[0].isupper() and _content(fold(t))}


def _name_after(keys: list[str], content: list[int], i: int, is_name: Callable[[str], bool]) -> str | None:
    """The first name in the few content words after position ``i``, unless a verb of giving or
    receiving comes first ("to buy": no receiver)."""
    for j in [j for j in content if j > i][:_REACH]:
        if keys[j] in GIVING or keys[j] in RECEIVING:
            return None
        if is_name(keys[j]):
            return keys[j]
    return None


def _name_before(keys: list[str], content: list[int], i: int, is_name: Callable[[str], bool]) -> str | None:
    """The nearest name in the few content words before position ``i``."""
    return next(
        (keys[j] for j in reversed([j for j in content if j < i][-_REACH:]) if is_name(keys[j])), None
    )


def read(text: str, is_name: Callable[[str], bool]) -> Reading:
    """What ``text`` says of its names, as form keys (search reads each claim once)."""
    said = words(text)
    subject = next((key for key in (stem(w) for w in said if _content(w)) if is_name(key)), None)
    return Reading(
        tuple(directions(text, is_name)),
        frozenset(places(text, is_name)),
        subject,
        frozenset(map(stem, said)),
    )


def query_roles(text: str, is_name: Callable[[str], bool]) -> Reading:
    """What a query says of its names (:func:`read`), at once empty when none of its words could
    state a role: most queries say no `to`, `from`, `in` or verb of giving."""
    tokens = {fold(t) for t in _TOKEN_RE.findall(text)}
    tokens.update(fold(t) for t in _TOKEN_RE.findall(text.replace("'s", " ")))
    if tokens.isdisjoint(_TRIGGERS) and not any(stem(t) in GIVING or stem(t) in RECEIVING for t in tokens):
        return Reading()
    return read(text, is_name)


def places(text: str, is_name: Callable[[str], bool]) -> set[str]:
    """The name right after ``in`` or ``at`` (past one word: "in southern Israel"), with the rest
    of a name of several words ("in Tel Aviv") or the place it owns ("at Israel's Ovda"), unless a
    date follows ("in April 2016", "in 2022")."""
    found: set[str] = set()
    tokens: list[str] = []
    owner: list[bool] = []  # the word is followed by 's
    capital: list[bool] = []
    matches = iter(_TOKEN_RE.finditer(text))
    for match in matches:
        tokens.append(fold(match.group()))
        capital.append(match.group()[0].isupper())
        owner.append(bool(_POSSESSIVE_RE.match(text, match.end())))
        if owner[-1]:
            next(matches, None)  # the s of 's
    for i, token in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        if token not in _AT or following in MONTHS or following.isdigit() or following in _NOT_PLACE:
            continue
        after = [j for j in range(i + 1, min(len(tokens), i + 6)) if _content(tokens[j])][:2]
        first = next((j for j in after if is_name(stem(tokens[j]))), None)
        if first is None:
            continue
        found.add(stem(tokens[first]))
        last = first
        # a name of several words, as written with capitals ("in Tel Aviv"; typed `in baku israel`
        # is two names), or the place the name owns ("at Israel's Ovda")
        while last + 1 < len(tokens) and is_name(stem(tokens[last + 1])):
            if not (owner[last] or (capital[last] and capital[last + 1])):
                break
            last += 1
            found.add(stem(tokens[last]))
    return found


def directions(text: str, is_name: Callable[[str], bool]) -> list[Direction]:
    """Every (giver, receiver) pair ``text`` states, clause by clause, as form keys."""
    found: list[Direction] = []
    for clause in _CLAUSE_RE.split(text):
        tokens = [fold(t) for t in _TOKEN_RE.findall(clause.replace("'s", " "))]
        keys = [stem(t) for t in tokens]
        content = [i for i, t in enumerate(tokens) if _content(t)]
        givers: dict[str, None] = {}
        receivers: dict[str, None] = {}
        for i, (token, key) in enumerate(zip(tokens, keys, strict=True)):
            if token in _FROM and (party := _name_after(keys, content, i, is_name)):
                givers[party] = None
            elif token in _TO and not (i and tokens[i - 1] in _NOT_RECEIVING):
                if party := _name_after(keys, content, i, is_name):
                    receivers[party] = None
            elif key in GIVING:
                # "missiles delivered from Israel": before a passive verb is the thing, not the giver
                passive = i + 1 < len(tokens) and tokens[i + 1] in _FROM
                if not passive and (party := _name_before(keys, content, i, is_name)):
                    givers[party] = None
                after = next((j for j in content if j > i), None)
                if after is not None and is_name(keys[after]):  # "sells Azerbaijan weapons"
                    receivers[keys[after]] = None
            elif key in RECEIVING and (party := _name_before(keys, content, i, is_name)):
                receivers[party] = None
        if receivers and not givers:
            first = next((keys[j] for j in content if is_name(keys[j]) and keys[j] not in receivers), None)
            if first is not None:
                givers[first] = None
        about = frozenset(keys[j] for j in content) - set(givers) - set(receivers) - GIVING - RECEIVING
        found += [Direction(g, r, about) for g in givers for r in receivers if g != r]
    return found
