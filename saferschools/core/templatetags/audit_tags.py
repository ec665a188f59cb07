from django import template

register = template.Library()

# How each part of the product is named to the people reading an access log.
SOURCE_LABELS = {
    "web:casework-pupil": "Pupil record page",
    "web:casework-pupils": "Pupil list page",
    "web:casework-import-pupils": "Pupil import page",
    "web:reporting-report": "Pupil's report page",
    "web:reporting-link-pupil": "Pupil's report: finding or linking a pupil",
    "web:reporting-export": "Download of pupils' reports",
    "web:casework-search-pupils": "Pupil search",
    "web:casework-assessment-new": "Risk assessment form",
    "web:casework-assessment": "Risk assessment page",
    "web:casework-chronology": "Chronology page",
    "web:casework-chronology-pdf": "Chronology PDF",
    "web:casework-chronology-csv": "Chronology download",
    "web:casework-new-plan": "New early-intervention plan",
    "web:casework-plan": "Early-intervention plan page",
    "web:casework-new-referral": "New referral",
    "web:casework-referral": "Referral page",
    "web:casework-meeting": "Meeting minutes page",
    "web:casework-meeting-pdf": "Meeting minutes PDF",
    "web:casework-record-meeting": "Recording a meeting",
    "web:casework-edit-meeting": "Changing a meeting",
    "web:casework-new-transfer": "Sending the record to another school",
    "web:casework-transfer": "Transfer page",
    "web:casework-confirm-transfer": "Confirming a transfer",
    "web:casework-seal-transfer": "Sealed PDF of the record",
    "web:sharing-new-decision": "Sharing decision form",
    "web:sharing-decision": "Sharing decision page",
    "web:sharing-revoke-decision": "Revoking a sharing decision",
    "web:sharing-shared-with-me": "Shared with you page",
    "web:sharing-record-police-notification": "Notification from the police",
    "web:sharing-police-notification": "Notification from the police page",
    "web:sharing-police-notifications": "Notifications from the police list",
    "web:sharing-school-disclosure-log": "Disclosure log",
    "web:sharing-school-disclosure-download": "Disclosure log download",
    "web:sharing-partnership-disclosure-log": "Disclosure log",
    "web:sharing-partnership-disclosure-download": "Disclosure log download",
    "web:planning-requests": "Requests for a partnership list",
    "web:planning-request": "Request for a partnership page",
    "web:planning-request-public": "School's page for asking for a partnership",
    "web:planning-request-record": "Recording a request for a partnership",
    "api:api-pupils": "API: pupil list",
    "api:api-pupil-chronology": "API: chronology",
    "api:api-pupil-risk-assessments": "API: risk assessments",
    "api:api-referrals": "API: referrals",
    "api:api-sharing-decisions": "API: sharing decisions",
    "api:api-police-notifications": "API: notifications from the police",
    "command:import_pupils": "Pupil import command",
    "command:demo": "Demo loader",
    "admin": "Administration site",
}


@register.filter
def audit_source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)
