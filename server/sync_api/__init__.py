"""The HTTP face of the sync engine: push, pull, and the database store it runs on."""
