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
    "api:api-pupils": "API: pupil list",
    "command:import_pupils": "Pupil import command",
    "command:demo": "Demo loader",
    "admin": "Administration site",
}


@register.filter
def audit_source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)
