"""Search: from a reporter's words to the fact they mean, or to "several fit", or to "no fact matches".

What lives here: ``config`` (``SearchConfig``: every number search tunes, one frozen object that
calibration passes in), ``textnorm`` (folding text into words; ``analyzer.json``: each language's stop
and question words), ``wordforms`` (stems, scripts, the reviewed
thesaurus in ``thesaurus.json``), ``roles`` (who gives what to whom in a sentence), ``reading`` (a
query's words and what each may stand for), ``scoring`` (candidates and ranking), ``verdicts`` (answer,
several or none), ``similarity`` (how nearly two claims say the same) and ``index`` (the index and
its API, re-exported here: this package's public names are the ones below).

May import: :mod:`knowledge.model` and :mod:`knowledge.errors`. Never the store, the desk or Discord.
"""

from knowledge.search.config import SearchConfig
from knowledge.search.index import NEAR_DUPLICATE, Hit, SearchIndex, SearchOutcome, narrowing
from knowledge.search.reading import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from knowledge.search.similarity import claim_similarity
from knowledge.search.verdicts import VERDICTS

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "NEAR_DUPLICATE",
    "VERDICTS",
    "Hit",
    "SearchConfig",
    "SearchIndex",
    "SearchOutcome",
    "claim_similarity",
    "narrowing",
]
