"""Every model in one import, for Alembic and for callers that need several."""

from db.areas import AreaNumber, ServiceArea
from db.base import Base
from db.conversations import ConversationState
from db.messages import Message
from db.people import Citizen, Volunteer
from db.requests import HelpRequest, Offer, RequestEvent

__all__ = [
    "AreaNumber",
    "Base",
    "Citizen",
    "ConversationState",
    "HelpRequest",
    "Message",
    "Offer",
    "RequestEvent",
    "ServiceArea",
    "Volunteer",
]
