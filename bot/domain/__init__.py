"""The product's rules: plain Python and SQLAlchemy, never Slack."""
