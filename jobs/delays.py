"""delays: scheduled jobs (filled in by that feature)."""
