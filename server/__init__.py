"""The Estatewalk server: HTTP, storage and operations around the sync engine in ``sync/``."""
