"""Every table, imported so that `Base.metadata` knows them all."""
from bot.models.base import Base, UTCDateTime
from bot.models.delivery import OutboxMessage, SeenDelivery, SendBudget, WeeklyUpdate
from bot.models.projects import Milestone, MilestoneMove, Project
from bot.models.calendar import Closure, TimeOff
from bot.models.history import HistoryEvent
from bot.models.trackers import TrackerLink, UpdateItem
from bot.models.workspaces import WorkspacePause
from bot.models import charts, delays, expectations, installations  # noqa: E402,F401  (their tables join Base.metadata)

__all__ = [
    "Base", "UTCDateTime", "Project", "Milestone", "MilestoneMove",
    "OutboxMessage", "WeeklyUpdate", "SeenDelivery", "SendBudget", "Closure", "TimeOff", "HistoryEvent",
    "TrackerLink", "UpdateItem", "WorkspacePause",
]
