"""The demo partnership's annual report for its first year, 2025/26: what its steering group
wrote after the year's review, through the same service as the page's form, by its member from
the county council. Every figure beside it is read live. Loading the demo again changes
nothing: a report already written for the year is left as it is.
"""

from saferschools.accounts.models import User
from saferschools.core.models import Partnership, School

from .annual_report_services import ReportInput, annual_report_save
from .models import AnnualReport

SOURCE = "command:demo"
STEERING = "steering@horley-ssp.example"
YEAR = 2025

SUMMARY = """\
Our first year as a Safer School Partnership brought Oakwood School, the five primary schools of
the Horley cluster, Surrey Police, Surrey County Council and the Surrey Youth Offending Service
together under one protocol, signed by every partner in July 2025. Our officer was based at
Oakwood three days a week and shared the other two between the primary schools.

We began keeping the partnership's records in SaferSchools in September 2026, at the start of
our second year. The officer's log, pupils' reports, incidents and casework of 2025/26 were kept
by each school and by Surrey Police, and the steering group's minutes on paper, so the live
figures below are nearly empty for this year. The evaluation against similar schools elsewhere
in Surrey, below, rests on the published statistics, which cover the year in full. In the
steering group's view the partnership has settled in well: pupils know the officer, staff know
how to raise a concern, and partners share information under an agreement everyone has signed.
One year is too short to be sure of much, and we say so.
"""

SUCCESSES = """\
* **A familiar face.** The officer taught lessons on personal safety, knife crime and staying
  safe online to every year group at Oakwood and to the older classes of the primary schools,
  and was at the gates at the start and end of the day.
* **Safer journeys home.** Pupils and the school councils told us that the walk between Oakwood,
  the Balcombe Road bus stops and Horley station is where they feel least safe. End-of-day
  patrols there, agreed with the Neighbourhood Policing Team, became a fixed part of the week.
* **Reporting in confidence.** Every school now has a confidential reporting page, and pupils
  have used it to tell us about bullying and about places they avoid.
* **Working together.** Pupils at risk were discussed at the multi-agency meeting, and the youth
  offending service and early help took referrals from the schools under the information-sharing
  agreement.
"""

CASE_STUDIES = """\
### Walking the route

After several reports about the end of the school day, the officer walked the route from Oakwood
to Horley station with members of the school council and a member of staff. They marked where
pupils wait, where groups gather and where there is no adult in sight. The bus company agreed to
a member of its staff at the busiest stop at home time, the school moved a duty teacher to the
gate on Balcombe Road, and the officer's patrols now follow the same route.

### Putting things right

A falling-out between two groups of pupils at different schools in the cluster, which had spread
to social media, was settled through a restorative meeting led by the officer with staff from
both schools and the pupils' families. We give no more detail than this, so that nobody involved
can be recognised.
"""

FURTHER_WORK = """\
* The end of the school day, between 3.10 and 3.40 pm, is still when and where most trouble
  happens, at the bus stops and on the way to the station.
* Bullying online is raised by pupils more than any other worry, and much of it starts outside
  school hours.
* Persistent absence is falling, but too slowly for the families we most need to reach.
* The steering group met less often than the protocol asks. From 2026/27 it meets each half
  term, with the dates set for the whole year, its pupil representatives take part in every
  meeting, and its minutes, the officer's log and the schools' records are kept in SaferSchools,
  so that next year's report tells the whole year from its own figures.
"""

PRIORITIES = """\
1. **Safer journeys:** more of the officer's time at the end of the school day (version 2 of
   the protocol), with patrols at the Balcombe Road bus stops and Horley station every school
   day.
2. **Bullying and staying safe online:** lessons in every school and a clear route for pupils to
   report what happens online, in or out of school.
3. **Attendance:** early identification of pupils missing school, with the education welfare
   service and early help, and a target for persistent absence in the work-plan.
4. **Hearing pupils:** the pupil perception survey in every school each autumn, and the school
   councils' representatives on the steering group.

The 2026/27 work-plan adapts the guidance's own example to these priorities, with its targets
measured in SaferSchools.
"""

RESOURCES = """\
* Surrey Police continues to fund the officer full time, line-managed by the Horley
  Neighbourhood Policing Team sergeant.
* The officer's week from September 2026: Oakwood on Monday, Wednesday and Friday mornings and
  every afternoon at the end of the school day; the primary schools share Tuesday and Thursday,
  each visited at least once a week.
* Oakwood School provides the officer's office; each primary school a desk and a telephone.
* Surrey County Council funds the youth offending service's time through its early help budget.
"""


def demo_annual_report(
    *, partnership: Partnership, secondary: School, primaries: list[School]
) -> None:
    """Write the partnership's report for 2025/26 as its steering group member, unless one is
    written already."""
    if AnnualReport.objects.filter(partnership=partnership, year=YEAR).exists():
        return
    annual_report_save(
        actor=User.objects.get(email=STEERING),
        partnership=partnership,
        year=YEAR,
        data=ReportInput(
            summary=SUMMARY,
            successes=SUCCESSES,
            case_studies=CASE_STUDIES,
            further_work=FURTHER_WORK,
            priorities=PRIORITIES,
            resources=RESOURCES,
        ),
        source=SOURCE,
    )
