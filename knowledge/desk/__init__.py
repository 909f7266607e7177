"""The desk's work around the base: what staff flag and suggest, what they could not find, what needs
checking again, and what the bot has posted.

``review_queue`` (Flag and /suggest, and who is accepting an item), ``answers`` (public answers posted
and the corrections still to make), ``stale`` (facts not reviewed for a while), ``gaps`` (lookups that
found nothing), ``claims`` (a message split into claims, for Check facts), ``repeats`` (facts a
suggested claim repeats, for the review channel), ``browse`` (timeline and
publisher listings) and ``synonyms`` (the synonym groups moderators add).

May import: :mod:`knowledge.model`, :mod:`knowledge.errors`, :mod:`knowledge.store` and
:mod:`knowledge.search`. Never Discord.
"""
