"""Reports people take to a meeting: action plans, inspection summaries, the issue list, the dashboard."""
