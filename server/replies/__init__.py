"""Conversations by e-mail: reply addresses in what the outbox sends, and replies turned into comments.

``addresses`` makes and checks reply addresses; ``reading`` takes a message apart; ``html_text`` and
``reply_text`` find the new words in it; ``intake`` is the one path every received message takes (into the
timeline through the sync engine, or into the quarantine); ``receiver`` (SMTP/LMTP) and ``poller`` (IMAP) are
the two ways messages arrive; ``routes`` shows the quarantine to staff.
"""
