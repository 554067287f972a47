"""Keeping people informed by e-mail: an outbox written with the change, a sender that delivers it."""
