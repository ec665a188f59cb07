"""What auditing costs when a list of pupils is shown, and how fast the chain verifies.

Run:  .venv/bin/python benchmarks/audit_listing.py [--pupils 1000] [--repeat 5]
      DATABASE_URL=postgres://... .venv/bin/python benchmarks/audit_listing.py

It makes a throwaway test database (as the test suite does), fills one school with pupils, and
prints, for the same list in the same run:
  - the plain scoped read (the baseline),
  - the read with one audit event per pupil appended together (what the product does),
  - the read with one audit event per pupil appended one by one (for comparison),
  - verify_audit over every event written, against merely reading those rows.
Ratios are against the baseline measured in the same run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferschools.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402


def timed(function, repeat: int) -> float:
    """The median wall time of ``repeat`` runs, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from saferschools.accounts.models import Membership, Role, User
    from saferschools.casework.models import Pupil
    from saferschools.casework.selectors import audit_listing, pupil_list
    from saferschools.core.audit import audit_record, audit_verify
    from saferschools.core.models import AuditAction, AuditEvent, School
    from saferschools.core.services import area_create

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        area = area_create(actor=None, name="Benchmark area", source="benchmark")
        school = School.objects.create(urn=999001, name="Benchmark School", area=area)
        Pupil.objects.bulk_create(
            Pupil(
                school=school,
                school_pupil_id=f"B{n:06d}",
                given_name=f"Given{n}",
                family_name=f"Family{n}",
                date_of_birth="2012-01-01",
                year_group=8,
            )
            for n in range(args.pupils)
        )
        user = User.objects.create_user("lead@bench.example", "x" * 20, full_name="Lead")
        Membership.objects.create(user=user, role=Role.SAFEGUARDING_LEAD, school=school)

        def plain() -> None:
            list(pupil_list(user=user, school=school))

        def audited_together() -> None:
            audit_listing(user=user, pupils=pupil_list(user=user, school=school), source="bench")

        def audited_one_by_one() -> None:
            for pupil in list(pupil_list(user=user, school=school)):
                audit_record(actor=user, action=AuditAction.VIEW, source="bench", obj=pupil)

        baseline = timed(plain, args.repeat)
        together = timed(audited_together, args.repeat)
        one_by_one = timed(audited_one_by_one, max(1, args.repeat // 2))
        events = AuditEvent.objects.count()
        read_rows = timed(lambda: list(AuditEvent.objects.order_by("seq").iterator(2000)), 3)
        verify = timed(lambda: audit_verify(), 3)
        assert audit_verify().ok

        print(f"database: {connection.vendor}; pupils listed: {args.pupils}")
        print(f"  plain scoped read             {baseline:9.1f} ms   1.0x")
        print(f"  audited, appended together    {together:9.1f} ms  {together / baseline:5.1f}x")
        print(
            f"  audited, one event at a time  {one_by_one:9.1f} ms  {one_by_one / baseline:5.1f}x"
        )
        print(f"audit chain of {events} events:")
        print(f"  read every row                {read_rows:9.1f} ms   1.0x")
        print(f"  verify_audit                  {verify:9.1f} ms  {verify / read_rows:5.1f}x")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
