"""Weekly updates: filled in by the weekly-update feature."""
