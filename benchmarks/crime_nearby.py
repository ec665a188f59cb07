"""A national month of street-level crime joined to every school in England, beside the time to
merely parse the same file.

Run:  .venv/bin/python benchmarks/crime_nearby.py [--crimes 500000] [--schools 24000]
          [--radius 500] [--seed 2023] [--naive-sample 20] [--database]
      DATABASE_URL=postgres://... .venv/bin/python benchmarks/crime_nearby.py --database

It generates, with a fixed seed, a month the size of all forces' street-level files together
(500,000 crimes: most around 2,000 towns, the rest anywhere, over England's extent on the
British National Grid; about 17% anti-social behaviour without a crime id, 1.5% "No Location")
and 24,000 schools placed the same way, and writes the crimes to a temporary CSV file exactly in
the data.police.uk format (CRLF). Then, in the same run, it times:

  - parse: reading and checking the file (``read_street_crime``), the baseline;
  - join: what the product does after parsing, in memory: converting every crime's WGS84
    position to the grid (``wgs84_to_bng_many``), putting the crimes in the spatial grid index
    and counting, for every school, the crimes within the radius by type (``count_near``);
  - the naive loop (every crime for each school) on a sample of schools, extrapolated to all
    of them, and checked against the index's counts for the sample.

With ``--database`` it also imports the file through the product's service (parse, convert and
store: ``crime_month_import``) into a throwaway test database (SQLite in memory, or the
PostgreSQL server of DATABASE_URL) and counts every school from there
(``crime_nearby_schools``). Ratios are against the parse time of the same run.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saferschools.lib.geo import bng_to_wgs84_many, count_near, wgs84_to_bng_many  # noqa: E402
from saferschools.lib.police import COLUMNS, read_street_crime  # noqa: E402

# England on the grid: from the Isles of Scilly and Land's End to Lowestoft, and up to the
# Scottish border at Berwick.
ENGLAND_EASTING = (85_000, 655_000)
ENGLAND_NORTHING = (10_000, 657_000)
TOWNS = 2_000
TOWN_SPREAD_M = 1_500
CRIME_TYPES = [
    ("Violence and sexual offences", 34),
    ("Anti-social behaviour", 17),
    ("Public order", 8),
    ("Criminal damage and arson", 8),
    ("Other theft", 7),
    ("Vehicle crime", 6),
    ("Shoplifting", 6),
    ("Burglary", 4),
    ("Drugs", 3),
    ("Other crime", 2),
    ("Bicycle theft", 1),
    ("Possession of weapons", 1),
    ("Robbery", 1),
    ("Theft from the person", 1),
]
OUTCOMES = [
    "Under investigation",
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Awaiting court outcome",
]
NO_LOCATION_SHARE = 0.015


def scattered(
    rng: random.Random,
    towns: list[tuple[float, float, float]],
    count: int,
    spread: float,
    anywhere: float,
):
    """``count`` grid points: most near a town (bigger towns drawing more), some anywhere."""
    weights = [weight for _, _, weight in towns]
    chosen = rng.choices(towns, weights=weights, k=count)
    points = []
    for easting, northing, _ in chosen:
        if rng.random() < anywhere:
            points.append((rng.uniform(*ENGLAND_EASTING), rng.uniform(*ENGLAND_NORTHING)))
        else:
            points.append((rng.gauss(easting, spread), rng.gauss(northing, spread)))
    return points


def generate(
    path: Path, crimes: int, schools: int, seed: int
) -> tuple[list[tuple[int, float, float]], int]:
    """Write the month's CSV to ``path``; return the schools (key, easting, northing) and the
    number of crimes written without a location."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    towns = [
        (rng.uniform(*ENGLAND_EASTING), rng.uniform(*ENGLAND_NORTHING), 1 / (rank + 1) ** 0.8)
        for rank in range(TOWNS)
    ]
    points = scattered(rng, towns, crimes, TOWN_SPREAD_M, anywhere=0.15)
    longitudes, latitudes = bng_to_wgs84_many([p[0] for p in points], [p[1] for p in points])
    names = [name for name, _ in CRIME_TYPES]
    weights = [weight for _, weight in CRIME_TYPES]
    types = rng.choices(names, weights=weights, k=crimes)
    without_location = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for n in range(crimes):
            crime_type = types[n]
            asb = crime_type == "Anti-social behaviour"
            crime_id = "" if asb else f"{rng.getrandbits(256):064x}"
            outcome = "" if asb else rng.choice(OUTCOMES)
            if rng.random() < NO_LOCATION_SHARE:
                without_location += 1
                place = ["", "", "No Location", "", ""]
            else:
                lsoa = 1_000 + n % 33_000
                place = [
                    f"{longitudes[n]:.6f}",
                    f"{latitudes[n]:.6f}",
                    f"On or near Street {n % 9_973}",
                    f"E0{1_000_000 + lsoa}",
                    f"Somewhere {lsoa // 5:03d}{'ABCDE'[lsoa % 5]}",
                ]
            writer.writerow(
                [crime_id, "2024-01", "All forces", "All forces", *place, crime_type, outcome, ""]
            )
    school_points = scattered(rng, towns, schools, TOWN_SPREAD_M * 1.2, anywhere=0.10)
    # Schools' grid references are whole metres within England, as in the register.
    places = [
        (n, round(clamp(e, ENGLAND_EASTING)), round(clamp(nn, ENGLAND_NORTHING)))
        for n, (e, nn) in enumerate(school_points)
    ]
    return places, without_location


def clamp(value: float, bounds: tuple[int, int]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def naive(
    points: list[tuple[float, float, str]], place: tuple[int, float, float], radius: float
) -> Counter[str]:
    _, x, y = place
    limit = radius * radius
    return Counter(item for px, py, item in points if (px - x) ** 2 + (py - y) ** 2 <= limit)


def seconds(value: float) -> str:
    return f"{value:8.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crimes", type=int, default=500_000)
    parser.add_argument("--schools", type=int, default=24_000)
    parser.add_argument("--radius", type=int, default=500, help="metres")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--naive-sample", type=int, default=20, help="schools; 0 to skip")
    parser.add_argument(
        "--database", action="store_true", help="also import and join in a database"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2024-01-national-street.csv"
        start = time.perf_counter()
        schools, without_location = generate(path, args.crimes, args.schools, args.seed)
        print(
            f"Generated {args.crimes:,} crimes ({without_location:,} without location) and "
            f"{len(schools):,} schools with seed {args.seed}: {path.stat().st_size / 1e6:.1f} MB "
            f"of CSV in {time.perf_counter() - start:.1f} s. Radius {args.radius} m."
        )

        start = time.perf_counter()
        street = read_street_crime(path)
        parse = time.perf_counter() - start
        assert len(street.crimes) == args.crimes

        start = time.perf_counter()
        located = [crime for crime in street.crimes if crime.located]
        eastings, northings = wgs84_to_bng_many(
            [crime.longitude for crime in located], [crime.latitude for crime in located]
        )
        converted = time.perf_counter()
        # Whole metres, as the product stores them.
        points = [
            (round(easting), round(northing), crime.crime_type)
            for easting, northing, crime in zip(eastings, northings, located, strict=True)
        ]
        counts = count_near(points, schools, args.radius)
        join = time.perf_counter() - start
        counted = time.perf_counter() - converted

        totals = sorted(sum(c.values()) for c in counts.values())
        print(
            f"Parse the CSV (read_street_crime):                         {seconds(parse)}   1.00x"
        )
        print(
            f"Join: convert to the grid, index, count for every school: {seconds(join)}   "
            f"{join / parse:.2f}x"
        )
        print(
            f"  of which WGS84 to grid {converted - start:.2f} s, index and counts {counted:.2f} s; "
            f"{sum(totals):,} (school, crime) pairs within {args.radius} m; median "
            f"{totals[len(totals) // 2]} per school, most {totals[-1]:,}, "
            f"{sum(1 for t in totals if t == 0):,} schools with none"
        )

        if args.naive_sample:
            rng = random.Random(args.seed)  # noqa: S311 - picking a sample, not security
            sample = rng.sample(schools, min(args.naive_sample, len(schools)))
            start = time.perf_counter()
            naive_counts = {place[0]: naive(points, place, args.radius) for place in sample}
            loop = time.perf_counter() - start
            whole = loop / len(sample) * len(schools)
            agree = all(naive_counts[key] == counts[key] for key in naive_counts)
            print(
                f"Naive loop, every crime for each of {len(sample)} schools: {loop:.2f} s, so about "
                f"{whole:,.0f} s for all {len(schools):,} ({whole / join:,.0f}x the join); "
                f"counts agree with the index: {'yes' if agree else 'NO'}"
            )
            if not agree:
                sys.exit("The index and the naive loop disagree.")

        if args.database:
            database(path, schools, counts, args.radius, parse)


def database(
    path: Path, schools: list[tuple[int, float, float]], counts: dict, radius: int, parse: float
) -> None:
    """Import through the product's service and count every school from the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferschools.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from saferschools.core.models import Area, School
    from saferschools.incidents.crime import crime_month_import, crime_nearby_schools

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        area = Area.objects.create(name="Benchmark area")
        School.objects.bulk_create(
            (
                School(urn=100_000 + key, name=f"School {key}", area=area, easting=e, northing=n)
                for key, e, n in schools
            ),
            batch_size=2_000,
        )
        start = time.perf_counter()
        result = crime_month_import(actor=None, file=path, source="benchmark", file_name=path.name)
        imported = time.perf_counter() - start
        rows = list(School.objects.all())
        start = time.perf_counter()
        nearby = crime_nearby_schools(schools=rows, month=result.month, radius_m=radius)
        joined = time.perf_counter() - start
        by_urn = {
            school.urn - 100_000: nearby[school.pk].total for school in rows if school.pk in nearby
        }
        agree = all(by_urn.get(key, 0) == sum(counts[key].values()) for key, _, _ in schools)
        print(
            f"Database ({connection.vendor}): import (parse, convert, store) "
            f"{seconds(imported)}   {imported / parse:.2f}x; join from the database "
            f"(crime_nearby_schools) {seconds(joined)}   {joined / parse:.2f}x; "
            f"counts agree with the join in memory: {'yes' if agree else 'NO'}"
        )
        if not agree:
            sys.exit("The database join and the join in memory disagree.")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
