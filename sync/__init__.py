"""The sync engine: mutations, hybrid logical clocks and merge rules.

Pure Python with no web framework inside. The server calls it inside a database transaction through the
``Store`` interface; the tests drive it directly with the in-memory store.
"""
