"""Every model in one import, for Alembic and for callers that need several."""

from db.areas import AreaNumber, ServiceArea
from db.base import Base
from db.conversations import ConversationState
from db.messages import Message
from db.people import Citizen, Volunteer
from db.requests import HelpRequest, Offer, RequestEvent
from db import coordinators, volunteer_profiles  # noqa: F401  (the console's tables)
from db import channels, sms_gateways  # noqa: F401  (providers per area and gateway phones)
from db import calls  # noqa: F401  (incoming call state, confirmation calls, voice settings)

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
