"""Positions in Great Britain: WGS84 longitude and latitude, and British National Grid metres.

Crime files give WGS84 longitude and latitude; the school register gives British National Grid
(BNG, EPSG:27700) eastings and northings. Distances are measured on the grid, in metres, which
over a few kilometres is as good as measuring on the ground (the grid's scale error is under
0.05% in England).

The conversion is PROJ's (through pyproj), with the best transformation PROJ has to hand: the
Ordnance Survey's OSTN15 grid when its file is installed (to a few centimetres), otherwise the
EPSG Helmert transformation for Great Britain (to a few metres). Either is far finer than
data.police.uk's points, which are snapped to the nearest of a set of anonymised map points.

``GridIndex`` answers "which points lie within r metres of here" without looking at every point:
points are kept in square cells, and a query only looks at the cells the circle touches.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Generic, TypeVar

from pyproj import Transformer
from pyproj.transformer import AreaOfInterest

WGS84 = "EPSG:4326"
BNG = "EPSG:27700"

T = TypeVar("T")
K = TypeVar("K")


# Great Britain, where the grid is defined: PROJ picks among the transformations made for it, and
# never a "ballpark" one that would be off by a hundred metres.
GREAT_BRITAIN = AreaOfInterest(
    west_lon_degree=-8.82, south_lat_degree=49.79, east_lon_degree=1.92, north_lat_degree=60.94
)


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs(
        WGS84, BNG, always_xy=True, area_of_interest=GREAT_BRITAIN, allow_ballpark=False
    )


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(
        BNG, WGS84, always_xy=True, area_of_interest=GREAT_BRITAIN, allow_ballpark=False
    )


def wgs84_to_bng(longitude: float, latitude: float) -> tuple[float, float]:
    """The (easting, northing) in metres of a WGS84 point given in degrees."""
    easting, northing = _to_bng().transform(longitude, latitude, errcheck=True)
    return easting, northing


def bng_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """The WGS84 (longitude, latitude) in degrees of a grid point given in metres."""
    longitude, latitude = _to_wgs84().transform(easting, northing, errcheck=True)
    return longitude, latitude


def wgs84_to_bng_many(
    longitudes: Sequence[float], latitudes: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Convert many points at once (far faster than one by one): two lists, in order."""
    if len(longitudes) != len(latitudes):
        raise ValueError("as many longitudes as latitudes are needed")
    if not longitudes:
        return [], []
    eastings, northings = _to_bng().transform(list(longitudes), list(latitudes), errcheck=True)
    return list(eastings), list(northings)


def bng_to_wgs84_many(
    eastings: Sequence[float], northings: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Convert many grid points at once: two lists, longitudes and latitudes, in order."""
    if len(eastings) != len(northings):
        raise ValueError("as many eastings as northings are needed")
    if not eastings:
        return [], []
    longitudes, latitudes = _to_wgs84().transform(list(eastings), list(northings), errcheck=True)
    return list(longitudes), list(latitudes)


def distance(x1: float, y1: float, x2: float, y2: float) -> float:
    """The straight-line distance between two grid points, in the grid's units (metres)."""
    return math.hypot(x1 - x2, y1 - y2)


class GridIndex(Generic[T]):
    """Points in the plane, bucketed in square cells of ``cell`` metres, each with an item.

    With cells as wide as the radius asked about, a query looks at the 3 by 3 cells around its
    centre (at most), so counting the points near each of many places costs time in proportion
    to the points near them, not to every point times every place.
    """

    def __init__(self, cell: float) -> None:
        if not cell > 0:
            raise ValueError("the cell size must be positive")
        self.cell = float(cell)
        self._cells: dict[tuple[int, int], list[tuple[float, float, T]]] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _key(self, x: float, y: float) -> tuple[int, int]:
        return math.floor(x / self.cell), math.floor(y / self.cell)

    def add(self, x: float, y: float, item: T) -> None:
        self._cells.setdefault(self._key(x, y), []).append((x, y, item))
        self._size += 1

    def within(self, x: float, y: float, radius: float) -> Iterator[T]:
        """The items of the points at ``radius`` or closer to (x, y), the circle's edge
        included, in no particular order."""
        if radius < 0:
            return
        low_x, low_y = self._key(x - radius, y - radius)
        high_x, high_y = self._key(x + radius, y + radius)
        limit = radius * radius
        cells = self._cells
        for cell_x in range(low_x, high_x + 1):
            for cell_y in range(low_y, high_y + 1):
                for px, py, item in cells.get((cell_x, cell_y), ()):
                    dx, dy = px - x, py - y
                    if dx * dx + dy * dy <= limit:
                        yield item


def count_near(
    points: Iterable[tuple[float, float, T]],
    places: Iterable[tuple[K, float, float]],
    radius: float,
) -> dict[K, Counter[T]]:
    """For each place (key, x, y), how many points of each item lie within ``radius`` of it.

    The points go into a ``GridIndex`` with cells as wide as the radius, so each place looks at
    the 3 by 3 cells around it only; the time taken grows with the number of points plus the number
    of (place, nearby point) pairs, never with points times places.
    """
    index: GridIndex[T] = GridIndex(cell=max(radius, 1.0))
    for x, y, item in points:
        index.add(x, y, item)
    return {key: Counter(index.within(x, y, radius)) for key, x, y in places}
