"""expectations: scheduled jobs (filled in by that feature)."""
