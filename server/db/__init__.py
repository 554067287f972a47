"""Storage: Piccolo tables, the database engine for the configured URL, and migrations."""
