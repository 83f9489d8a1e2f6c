"""The one place that talks to Slack's Web API."""
