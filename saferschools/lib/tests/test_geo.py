"""WGS84 to British National Grid and back, and the grid index that finds points near places."""

import csv
import math
import random
import statistics
from collections import Counter
from pathlib import Path

import pytest

from saferschools.lib.geo import (
    GridIndex,
    bng_to_wgs84,
    bng_to_wgs84_many,
    count_near,
    distance,
    wgs84_to_bng,
    wgs84_to_bng_many,
)
from saferschools.lib.police import LATITUDE_RANGE, LONGITUDE_RANGE, read_street_crime

ROOT = Path(__file__).resolve().parents[2]
SCHOOLS = ROOT / "core" / "demo_data" / "surrey_schools.csv"
CRIMES = ROOT / "incidents" / "demo_data" / "2023-09-surrey-street.csv"

# Ordnance Survey's published OSTN15 test points in England: ETRS89 latitude and longitude (the
# same as WGS84 to well under a metre for this purpose) and the official grid reference.
OS_TEST_POINTS = [
    ("TP05 Former OSHQ, Southampton", 50.93127937910, -1.45051433700, 438710.920, 114792.250),
    ("TP07 North Foreland Lighthouse", 51.37447025550, 1.44454730409, 639821.835, 169565.858),
    ("TP09 Lambeth", 51.48936564950, -0.11992557180, 530624.974, 178388.464),
    ("TP13 Northampton", 52.25160951230, -0.91248956970, 474335.969, 262047.755),
    ("TP15 Nottingham", 52.96219109410, -1.19747655922, 454002.834, 340834.943),
    ("TP20 Pudsey", 53.80021519630, -1.66379168242, 422242.186, 433818.701),
    ("TP25 Newcastle University", 54.97912273660, -1.61657685184, 424639.355, 565012.703),
]
# Without the OSTN15 grid file PROJ uses the Helmert transformation for Great Britain: good to
# a few metres, which is what a count within hundreds of metres of anonymised points needs.
TOLERANCE_M = 5.0


@pytest.mark.parametrize(("name", "lat", "lon", "easting", "northing"), OS_TEST_POINTS)
def test_wgs84_to_bng_matches_ordnance_survey_test_points(name, lat, lon, easting, northing):
    got_easting, got_northing = wgs84_to_bng(lon, lat)

    assert distance(got_easting, got_northing, easting, northing) < TOLERANCE_M, name


@pytest.mark.parametrize(("name", "lat", "lon", "easting", "northing"), OS_TEST_POINTS)
def test_bng_to_wgs84_matches_ordnance_survey_test_points(name, lat, lon, easting, northing):
    got_lon, got_lat = bng_to_wgs84(easting, northing)
    # Back on the grid to compare in metres rather than degrees.
    there = wgs84_to_bng(got_lon, got_lat)
    expected = wgs84_to_bng(lon, lat)

    assert distance(*there, *expected) < TOLERANCE_M, name
    assert abs(got_lat - lat) < 0.0001
    assert abs(got_lon - lon) < 0.0001


def test_a_round_trip_comes_back_to_the_centimetre():
    rng = random.Random(27700)
    for _ in range(200):
        easting, northing = rng.uniform(90_000, 655_000), rng.uniform(10_000, 660_000)

        back = wgs84_to_bng(*bng_to_wgs84(easting, northing))

        assert distance(*back, easting, northing) < 0.01


def test_every_point_a_crime_file_may_hold_converts():
    (low_lon, high_lon), (low_lat, high_lat) = LONGITUDE_RANGE, LATITUDE_RANGE
    corners = [(lon, lat) for lon in (low_lon, high_lon) for lat in (low_lat, high_lat)]

    eastings, northings = wgs84_to_bng_many([c[0] for c in corners], [c[1] for c in corners])

    assert all(math.isfinite(value) for value in [*eastings, *northings])


def test_axis_order_is_longitude_then_latitude():
    # Oakwood School, Horley, is at 529037 E 143173 N in the school register.
    longitude, latitude = bng_to_wgs84(529037, 143173)

    assert -0.2 < longitude < -0.15
    assert 51.16 < latitude < 51.18


def test_many_points_convert_as_one_by_one():
    rng = random.Random(4326)
    longitudes = [rng.uniform(-5.5, 1.7) for _ in range(300)]
    latitudes = [rng.uniform(50.0, 55.7) for _ in range(300)]

    eastings, northings = wgs84_to_bng_many(longitudes, latitudes)

    for lon, lat, easting, northing in zip(longitudes, latitudes, eastings, northings, strict=True):
        assert distance(*wgs84_to_bng(lon, lat), easting, northing) < 0.001
    assert wgs84_to_bng_many([], []) == ([], [])
    with pytest.raises(ValueError, match="as many longitudes as latitudes"):
        wgs84_to_bng_many([0.0], [])

    back_lons, back_lats = bng_to_wgs84_many(eastings, northings)

    for lon, lat, back_lon, back_lat in zip(
        longitudes, latitudes, back_lons, back_lats, strict=True
    ):
        assert abs(lon - back_lon) < 1e-6 and abs(lat - back_lat) < 1e-6
    assert bng_to_wgs84_many([], []) == ([], [])
    with pytest.raises(ValueError, match="as many eastings as northings"):
        bng_to_wgs84_many([], [0.0])


def test_real_crimes_lie_near_the_schools_of_their_own_lsoa():
    """The school register's grid references and the crime files' converted points agree: a
    school and the crimes recorded in its own LSOA (a neighbourhood of about 1,500 people) are
    typically a few hundred metres apart. Swapped axes or a wrong projection would put them
    kilometres (or hundreds of kilometres) apart."""
    with SCHOOLS.open(encoding="utf-8", newline="") as file:
        schools = [
            (int(row["Easting"]), int(row["Northing"]), row["LSOA (code)"])
            for row in csv.DictReader(file)
        ]
    by_lsoa: dict[str, list[tuple[float, float]]] = {}
    for crime in read_street_crime(CRIMES).crimes:
        if crime.located:
            point = wgs84_to_bng(crime.longitude, crime.latitude)
            by_lsoa.setdefault(crime.lsoa_code, []).append(point)

    medians = [
        statistics.median(distance(easting, northing, *point) for point in by_lsoa[lsoa])
        for easting, northing, lsoa in schools
        if lsoa in by_lsoa
    ]

    assert len(medians) > 300
    assert statistics.median(medians) < 1000
    assert sorted(medians)[int(len(medians) * 0.9)] < 2500


# The grid index


def brute_force(points, x, y, radius):
    return sorted(item for px, py, item in points if (px - x) ** 2 + (py - y) ** 2 <= radius**2)


@pytest.mark.parametrize(("cell", "radius"), [(500, 500), (100, 500), (2000, 500), (500, 1234)])
def test_grid_index_finds_exactly_the_points_within_the_radius(cell, radius):
    rng = random.Random(cell + radius)
    points = [(rng.uniform(-3000, 3000), rng.uniform(-3000, 3000), n) for n in range(3000)]
    index: GridIndex[int] = GridIndex(cell=cell)
    for x, y, item in points:
        index.add(x, y, item)

    assert len(index) == 3000
    for _ in range(60):
        x, y = rng.uniform(-3500, 3500), rng.uniform(-3500, 3500)
        assert sorted(index.within(x, y, radius)) == brute_force(points, x, y, radius)


def test_grid_index_includes_the_edge_and_excludes_just_beyond():
    index: GridIndex[str] = GridIndex(cell=500)
    index.add(1500, 1000, "east on the edge")
    index.add(1000, 500, "south on the edge")
    index.add(1000, 1501, "north just beyond")
    index.add(1354, 1354, "north-east just beyond")  # 500.6 m away
    index.add(1353, 1353, "north-east just inside")  # 499.2 m away

    found = set(index.within(1000, 1000, 500))

    assert found == {"east on the edge", "south on the edge", "north-east just inside"}


def test_grid_index_looks_only_at_the_cells_around_the_place():
    index: GridIndex[int] = GridIndex(cell=500)
    for n in range(100):
        index.add(100_000 + n, 100_000, n)

    assert list(index.within(0, 0, 500)) == []
    assert len(list(index.within(100_050, 100_000, 10))) == 21
    assert list(index.within(100_000, 100_000, -1)) == []


def test_grid_index_refuses_a_cell_of_no_size():
    with pytest.raises(ValueError, match="cell size must be positive"):
        GridIndex(cell=0)


def test_count_near_counts_items_per_place():
    points = [
        (0, 0, "Burglary"),
        (300, 0, "Burglary"),
        (0, 499, "Drugs"),
        (0, 501, "Drugs"),
        (10_000, 10_000, "Robbery"),
    ]
    places = [("school", 0, 0), ("far", 10_000, 10_400), ("nowhere", -50_000, 0)]

    counts = count_near(points, places, 500)

    assert counts == {
        "school": Counter({"Burglary": 2, "Drugs": 1}),
        "far": Counter({"Robbery": 1}),
        "nowhere": Counter(),
    }
