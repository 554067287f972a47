"""Signing in, sessions and knowing who is asking."""
