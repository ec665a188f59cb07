from django.db import migrations

# Stage 4's catalogue: the rest of the national indicators the guidance names (1.9) in their
# present-day form, what the pupil perception survey measures, and what the product computes from
# its own records beyond plain counts.
INDICATORS = [
    # code, name, unit, lower is better, level, source, national indicator, description
    (
        "first_time_entrants",
        "First-time entrants to the youth justice system aged 10 to 17",
        "per_100k",
        True,
        "area",
        "imported",
        "NI 111",
        "Young people aged 10 to 17 receiving their first reprimand, warning or conviction, per "
        "100,000 of the area's young people of that age (from the youth offending team).",
    ),
    (
        "inspection_behaviour",
        "Inspection judgement on behaviour",
        "grade",
        True,
        "school",
        "imported",
        "NI 86",
        "Ofsted's latest judgement on behaviour and attitudes (or behaviour and safety): 1 "
        "outstanding, 2 good, 3 requires improvement, 4 inadequate.",
    ),
    (
        "ks2_expected_rwm",
        "Key stage 2: reaching the expected standard in reading, writing and maths",
        "percent",
        False,
        "school",
        "imported",
        "NI 73",
        "Pupils at the end of key stage 2 reaching the expected standard in reading, writing and "
        "maths, as a percentage (DfE performance tables).",
    ),
    (
        "ks4_attainment8",
        "Key stage 4: Attainment 8",
        "score",
        False,
        "school",
        "imported",
        "NI 75",
        "Average Attainment 8 score per pupil at the end of key stage 4 (DfE performance tables).",
    ),
    (
        "ks4_progress8",
        "Key stage 4: Progress 8",
        "score",
        False,
        "school",
        "imported",
        "NI 93",
        "Progress 8 score at the end of key stage 4: 0 is the national average progress "
        "(DfE performance tables).",
    ),
    (
        "ks4_basics_grade4",
        "Key stage 4: grade 4 or above in English and maths",
        "percent",
        False,
        "school",
        "imported",
        "NI 78",
        "Pupils at the end of key stage 4 achieving grade 4 or above in English and maths, as a "
        "percentage (DfE performance tables).",
    ),
    (
        "survey_safe_at_school",
        "Pupils who feel safe at school",
        "percent",
        False,
        "school",
        "surveyed",
        "",
        "Pupils answering that they feel safe at school, as a percentage of those answering.",
    ),
    (
        "survey_safe_journey",
        "Pupils who feel safe on the way to and from school",
        "percent",
        False,
        "school",
        "surveyed",
        "",
        "Pupils answering that they feel safe on their journey to and from school.",
    ),
    (
        "survey_bullied_4_weeks",
        "Pupils bullied in the last four weeks",
        "percent",
        True,
        "school",
        "surveyed",
        "NI 69",
        "Pupils answering that they have been bullied at or near school in the last four weeks.",
    ),
    (
        "survey_bullied_12_months",
        "Pupils bullied in the last twelve months",
        "percent",
        True,
        "school",
        "surveyed",
        "NI 69",
        "Pupils answering that they have been bullied at or near school in the last twelve months.",
    ),
    (
        "survey_asb_perceived",
        "Pupils who see anti-social behaviour as a problem near school",
        "percent",
        True,
        "school",
        "surveyed",
        "NI 17",
        "Pupils answering that people behaving badly near the school (anti-social behaviour) is "
        "a problem.",
    ),
    (
        "survey_substance_misuse",
        "Pupils who report drinking, smoking or drugs",
        "percent",
        True,
        "school",
        "surveyed",
        "NI 115",
        "Pupils answering that they have used alcohol, tobacco, vapes or drugs recently (asked "
        "in age-appropriate words; primary pupils are asked about seeing them near school).",
    ),
    (
        "survey_knows_help",
        "Pupils who know how to get help",
        "percent",
        False,
        "school",
        "surveyed",
        "",
        "Pupils answering that they know who to go to, or how to report, if something is wrong.",
    ),
    (
        "survey_trusts_police",
        "Pupils who trust the police",
        "percent",
        False,
        "school",
        "surveyed",
        "",
        "Pupils answering that they would trust the police to help them.",
    ),
    (
        "reports_per_100",
        "Pupils' reports per 100 pupils",
        "per_100",
        False,
        "school",
        "computed",
        "",
        "Reports made through the confidential reporting page per 100 pupils on roll, by "
        "category. More reports can mean more trust in reporting as well as more trouble.",
    ),
    (
        "incidents_per_100",
        "Incidents per 100 pupils",
        "per_100",
        True,
        "school",
        "computed",
        "",
        "Incidents recorded per 100 pupils on roll, by category.",
    ),
    (
        "repeat_victimisation",
        "Repeat victimisation",
        "percent",
        True,
        "school",
        "computed",
        "",
        "Of the pupils recorded as the victim of an incident in the period, the percentage "
        "recorded as the victim of more than one.",
    ),
    (
        "reports_acknowledged_in_time",
        "Reports acknowledged in time",
        "percent",
        False,
        "school",
        "computed",
        "",
        "Pupils' reports received in the period that were acknowledged by their due time, as a "
        "percentage.",
    ),
    (
        "report_days_to_close",
        "Time to close a report",
        "days",
        True,
        "school",
        "computed",
        "",
        "The median number of days from a pupil's report being received to its being closed, "
        "for reports closed in the period.",
    ),
    (
        "patrols_done_of_planned",
        "Planned patrols done",
        "percent",
        False,
        "school",
        "computed",
        "",
        "Patrols the officers' patrol plans scheduled in the period that were logged as done, "
        "as a percentage (officer time by kind is shown beside it).",
    ),
    (
        "referrals_completed",
        "Referrals completed",
        "percent",
        False,
        "school",
        "computed",
        "",
        "Referrals made in the period that the receiving service has marked completed, as a "
        "percentage.",
    ),
    (
        "sharing_decisions_reviewed",
        "Sharing decisions reviewed",
        "percent",
        False,
        "school",
        "computed",
        "",
        "Decisions to share a pupil's information that reached their review date in the period "
        "and were reviewed (renewed, refused or revoked) by then, as a percentage.",
    ),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("outcomes", "Indicator")
    for code, name, unit, lower, level, source, ni, description in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "lower_is_better": lower,
                "level": level,
                "source": source,
                "national_indicator": ni,
                "description": description,
            },
        )


def unseed(apps, schema_editor):
    Indicator = apps.get_model("outcomes", "Indicator")
    Indicator.objects.filter(code__in=[row[0] for row in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0003_surveys_evaluations_annual_reports")]

    operations = [migrations.RunPython(seed, unseed)]
