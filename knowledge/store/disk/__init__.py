"""What the disk promises, one promise a module: ``atomic`` (temp file, fsync, rename, folder fsync),
``lock`` (one writer process per database), ``layout`` (one record per line, so a write copies
unchanged records as bytes), ``journal`` (append-only line files: every log beside the database),
``backups`` (the last good versions), ``factfile`` (JSON that cannot be used) and ``storage`` (the
TinyDB storage tying them together).

May import: :mod:`knowledge.errors` and :mod:`knowledge.model`; nothing above it.
"""
