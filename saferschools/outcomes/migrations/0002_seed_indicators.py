from django.db import migrations

# The indicators the partnership-life stages rely on: the Department for Education's published
# school figures, and what the product counts from its own records. The pupil survey and the
# rest of the national indicators join the catalogue with the evaluation work.
INDICATORS = [
    # code, name, unit, lower is better, source, national indicator, description
    (
        "overall_absence",
        "Overall absence rate",
        "percent",
        True,
        "imported",
        "",
        "Sessions missed for any reason, as a percentage of all possible sessions (DfE).",
    ),
    (
        "persistent_absence",
        "Persistent absence rate",
        "percent",
        True,
        "imported",
        "NI 87",
        "Pupils missing 10% or more of their possible sessions, as a percentage of pupils (DfE).",
    ),
    (
        "suspension_rate",
        "Suspension rate",
        "per_100",
        True,
        "imported",
        "",
        "Suspensions (fixed-period exclusions) per 100 pupils (DfE).",
    ),
    (
        "permanent_exclusion_rate",
        "Permanent exclusion rate",
        "per_100",
        True,
        "imported",
        "NI 114",
        "Permanent exclusions per 100 pupils (DfE).",
    ),
    (
        "pupil_reports",
        "Pupils' reports received",
        "count",
        False,
        "computed",
        "",
        "Reports pupils made through the school's confidential reporting page. More reports "
        "can mean more trust in reporting as well as more trouble.",
    ),
    (
        "incidents",
        "Incidents recorded",
        "count",
        True,
        "computed",
        "",
        "Incidents recorded in the school's incident log, on site, on journeys, in the "
        "neighbourhood and online.",
    ),
    (
        "critical_incidents",
        "Critical incidents",
        "count",
        True,
        "computed",
        "",
        "Incidents recorded as critical.",
    ),
    (
        "officer_hours",
        "Officer time in school",
        "hours",
        False,
        "computed",
        "",
        "Hours the partnership's officers logged at its schools.",
    ),
    (
        "patrols",
        "Patrols done",
        "count",
        False,
        "computed",
        "",
        "Patrols the partnership's officers logged (start and end of day, truancy, other).",
    ),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("outcomes", "Indicator")
    for code, name, unit, lower, source, ni, description in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "lower_is_better": lower,
                "level": "school",
                "source": source,
                "national_indicator": ni,
                "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_indicators")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
