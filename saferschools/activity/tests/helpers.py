"""Making entries and plans through the services, for the activity tests."""

from datetime import datetime

from saferschools.activity import services
from saferschools.lib.schooldays import LONDON


def entry_input(school, **fields) -> services.ActivityInput:
    values = {
        "school_urn": school.urn,
        "kind": "patrol",
        "detail": "start_of_day",
        "started_at": datetime(2025, 3, 11, 8, 15, tzinfo=LONDON),
        "minutes": 40,
        "place_id": None,
        "note": "",
    }
    values.update(fields)
    return services.ActivityInput(**values)


def log(officer, school, **fields):
    """An entry in the officer's log, made through the service."""
    return services.activity_log(actor=officer, data=entry_input(school, **fields), source="test")


def plan_input(school, **fields) -> services.PatrolPlanInput:
    values = {
        "school_urn": school.urn,
        "place_id": None,
        "weekdays": [0, 1, 2, 3, 4],
        "starts_at": "08:15",
        "ends_at": "08:45",
        "valid_from": "2025-03-03",
        "valid_until": None,
        "active": True,
    }
    values.update(fields)
    return services.PatrolPlanInput(**values)


def plan(officer, school, **fields):
    return services.patrol_plan_create(
        actor=officer, data=plan_input(school, **fields), source="test"
    )
