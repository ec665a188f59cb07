"""Incidents and the places they happen at, and the neighbourhood's recorded crime."""

from .crime import CrimeMonth, PoliceCrime
from .incidents import (
    Incident,
    IncidentCategory,
    IncidentParty,
    IncidentRevision,
    LocationKind,
    PartyRole,
    Place,
    PlaceKind,
    PoliceAction,
    Severity,
)
from .plans import SitePlan

__all__ = [
    "CrimeMonth",
    "Incident",
    "IncidentCategory",
    "IncidentParty",
    "IncidentRevision",
    "LocationKind",
    "PartyRole",
    "Place",
    "PlaceKind",
    "PoliceAction",
    "PoliceCrime",
    "Severity",
    "SitePlan",
]
