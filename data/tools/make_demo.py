#!/usr/bin/env python3
"""Deterministic generator for the NapGeo demo data set.

    python3 data/tools/make_demo.py [--source PATH] [--out DIR]

Reads the Earth Genome Ghana mining-area polygons (CC BY 4.0, Earth Genome,
Amazon Mining Watch / mining-detector) and writes

    data/sites.geojson     685 sites (MultiPolygon) with INVENTED NAP attributes
    data/hotspots.geojson  12 INVENTED hotspots (octagons + gold-shop points)
    data/samples.geojson   400 INVENTED mercury measurements (points)

Python 3 standard library only; no network; fixed seeds; every random draw
comes from a random.Random seeded with a string (SHA-512 based, independent of
PYTHONHASHSEED), so re-running produces byte-identical files.

EVERYTHING EXCEPT THE POLYGON OUTLINES IS MADE UP FOR DEMONSTRATION.
"""

import argparse
import hashlib
import json
import math
import pathlib
import random
import sys
import uuid
from datetime import date, timedelta

HERE = pathlib.Path(__file__).resolve().parent
DATA_DIR = HERE.parent
DEFAULT_SOURCE = pathlib.Path("/work/shared/data/ghana-mining-areas-2024.geojson")
# sha256 of the source file the committed outputs were generated from
SOURCE_SHA256 = "9276cb57cfdc74b325ccd8b6680c312fc1f293c42f8d5af16043114aa7860d0c"

SEED = "napgeo-demo-2024"
# Fixed namespace for every demo UUID: uuid5(NAMESPACE_DNS, "demo.napgeo")
NS = uuid.uuid5(uuid.NAMESPACE_DNS, "demo.napgeo")

DATA_SOURCE = "Earth Genome mining-area detection 2024 (CC BY 4.0); attributes invented for the NapGeo demo"
SITE_NOTES = "DEMO DATA \u2014 NAP attributes invented, not real"
HOTSPOT_NOTES = "DEMO DATA \u2014 invented"
SAMPLE_NOTES = "DEMO DATA \u2014 invented values"
CAMPAIGN = "DEMO-GH-2024"
MICRO = "\u00b5"  # MICRO SIGN (U+00B5), as typed on most keyboards

SCALE = 10 ** 6  # 6 decimal places; all geometry checks use exact integers
EARTH_R = 6371008.8

# 16 regions of Ghana: (ISO 3166-2:GH suffix, region, capital, lat, lon).
# Capital coordinates are approximate; admin1 is assigned by the NEAREST
# capital to the site centroid, which is only an approximation of the real
# regional boundaries.
REGIONS = [
    ("AA", "Greater Accra", "Accra", 5.603, -0.187),
    ("AH", "Ashanti", "Kumasi", 6.688, -1.624),
    ("WP", "Western", "Sekondi-Takoradi", 4.934, -1.714),
    ("WN", "Western North", "Sefwi Wiawso", 6.206, -2.486),
    ("CP", "Central", "Cape Coast", 5.106, -1.247),
    ("EP", "Eastern", "Koforidua", 6.094, -0.259),
    ("TV", "Volta", "Ho", 6.601, 0.470),
    ("OT", "Oti", "Dambai", 8.067, 0.180),
    ("BO", "Bono", "Sunyani", 7.339, -2.327),
    ("BE", "Bono East", "Techiman", 7.586, -1.939),
    ("AF", "Ahafo", "Goaso", 6.804, -2.517),
    ("NP", "Northern", "Tamale", 9.403, -0.842),
    ("SV", "Savannah", "Damongo", 9.083, -1.818),
    ("NE", "North East", "Nalerigu", 10.527, -0.367),
    ("UE", "Upper East", "Bolgatanga", 10.786, -0.851),
    ("UW", "Upper West", "Wa", 10.060, -2.501),
]

# Towns used only to invent plausible site names and to place human
# biomonitoring samples and gold shops. (name, lat, lon, nearby river or None);
# coordinates approximate.
TOWNS = [
    ("Tarkwa", 5.300, -1.995, "Bonsa"),
    ("Prestea", 5.433, -2.143, "Ankobra"),
    ("Bogoso", 5.567, -2.010, None),
    ("Wassa Akropong", 5.783, -2.083, None),
    ("Asankragwa", 5.806, -2.434, None),
    ("Axim", 4.866, -2.241, "Ankobra"),
    ("Elubo", 5.283, -2.767, "Tano"),
    ("Enchi", 5.817, -2.817, None),
    ("Sefwi Wiawso", 6.206, -2.486, None),
    ("Sefwi Bekwai", 6.200, -2.333, None),
    ("Bibiani", 6.463, -2.319, None),
    ("Goaso", 6.804, -2.517, None),
    ("Kenyasi", 6.983, -2.383, None),
    ("Dunkwa-on-Offin", 5.960, -1.780, "Offin"),
    ("Ayanfuri", 5.967, -1.900, "Offin"),
    ("Twifo Praso", 5.609, -1.549, "Pra"),
    ("Daboase", 5.133, -1.650, "Pra"),
    ("Shama", 5.013, -1.633, "Pra"),
    ("Assin Fosu", 5.700, -1.283, None),
    ("Obuasi", 6.200, -1.660, None),
    ("Bekwai", 6.450, -1.583, None),
    ("Manso Nkwanta", 6.467, -1.883, None),
    ("Nkawie", 6.733, -1.783, None),
    ("Konongo", 6.617, -1.217, None),
    ("Juaso", 6.583, -1.117, None),
    ("Kibi", 6.167, -0.550, "Birim"),
    ("Anyinam", 6.383, -0.550, "Birim"),
    ("Akwatia", 6.040, -0.800, "Birim"),
    ("Kade", 6.083, -0.833, "Birim"),
    ("Akim Oda", 5.933, -0.983, "Birim"),
    ("Asamankese", 5.867, -0.667, None),
    ("Nkawkaw", 6.550, -0.767, None),
    ("Koforidua", 6.094, -0.259, None),
]
TOWN = {t[0]: t for t in TOWNS}


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def rng_for(*parts):
    return random.Random(":".join([SEED] + [str(p) for p in parts]))


def pick(rng, weighted):
    """weighted: list of (value, weight). Uses only rng.random()."""
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    acc = 0.0
    for v, w in weighted:
        acc += w
        if x < acc:
            return v
    return weighted[-1][0]


def normal(rng):
    # Box-Muller from rng.random() only (stable across Python versions)
    u1 = 1.0 - rng.random()
    u2 = rng.random()
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def lognormal(rng, median, sigma, lo, hi):
    for _ in range(1000):
        v = median * math.exp(sigma * normal(rng))
        if lo <= v <= hi:
            return v
    raise RuntimeError("lognormal resampling failed")


def uniform(rng, a, b):
    return a + (b - a) * rng.random()


def sig3(x):
    v = float("%.3g" % x)
    assert v > 0 and math.isfinite(v)
    return v


def day_in(rng, start, end):
    a = date.fromisoformat(start)
    b = date.fromisoformat(end)
    return (a + timedelta(days=int(rng.random() * ((b - a).days + 1)))).isoformat()


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(a))


def offset(lat, lon, dist_m, bearing_rad):
    """Small-distance offset (equirectangular), returns (lat, lon)."""
    dlat = dist_m * math.cos(bearing_rad) / (math.pi / 180 * EARTH_R)
    dlon = dist_m * math.sin(bearing_rad) / (math.pi / 180 * EARTH_R * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def q(v):
    """degrees -> exact integer micro-degrees"""
    return int(round(v * SCALE))


def dq(i):
    """integer micro-degrees -> float with 6 decimals"""
    return round(i / SCALE, 6)


# --------------------------------------------------------------------------
# exact integer geometry (coordinates in micro-degrees)
# --------------------------------------------------------------------------

def cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def signed_area2(ring):
    """twice the signed area of a closed ring (positive = counter-clockwise)"""
    s = 0
    for i in range(len(ring) - 1):
        s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
    return s


def on_segment(p, a, b):
    return (min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= p[1] <= max(a[1], b[1]))


def segs_intersect(a, b, c, d):
    d1 = cross(c, d, a)
    d2 = cross(c, d, b)
    d3 = cross(a, b, c)
    d4 = cross(a, b, d)
    if ((d1 > 0 and d2 < 0) or (d1 < 0 and d2 > 0)) and ((d3 > 0 and d4 < 0) or (d3 < 0 and d4 > 0)):
        return True
    if d1 == 0 and on_segment(a, c, d):
        return True
    if d2 == 0 and on_segment(b, c, d):
        return True
    if d3 == 0 and on_segment(c, a, b):
        return True
    if d4 == 0 and on_segment(d, a, b):
        return True
    return False


def ring_problems(ring):
    """Return a list of problems of a closed ring (empty list = simple ring)."""
    probs = []
    if len(ring) < 4:
        return ["fewer than 4 points"]
    if ring[0] != ring[-1]:
        probs.append("not closed")
    pts = ring[:-1]
    n = len(pts)
    if len(set(pts)) != n:
        probs.append("repeated vertex")
    if signed_area2(ring) == 0:
        probs.append("zero area")
    for i in range(n):
        a, b, c = pts[i - 1], pts[i], pts[(i + 1) % n]
        if cross(a, b, c) == 0 and (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) < 0:
            probs.append("spike at (%s, %s)" % (dq(b[0]), dq(b[1])))
    segs = [(pts[i], pts[(i + 1) % n]) for i in range(n)]
    boxes = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])) for a, b in segs]
    order = sorted(range(n), key=lambda i: boxes[i][0])
    for oi, i in enumerate(order):
        bi = boxes[i]
        for j in order[oi + 1:]:
            bj = boxes[j]
            if bj[0] > bi[1]:
                break
            if bj[3] < bi[2] or bj[2] > bi[3]:
                continue
            if abs(i - j) == 1 or abs(i - j) == n - 1:
                continue  # adjacent segments: spikes are checked above
            if segs_intersect(segs[i][0], segs[i][1], segs[j][0], segs[j][1]):
                probs.append("self-intersection near (%s, %s)" % (dq(segs[i][0][0]), dq(segs[i][0][1])))
                return probs
    return probs


def point_in_ring(p, ring):
    """ray casting; exact for integer coordinates (points on the edge are undefined)"""
    x, y = p
    inside = False
    for i in range(len(ring) - 1):
        x1, y1 = ring[i]
        x2, y2 = ring[i + 1]
        if (y1 > y) != (y2 > y):
            # x-coordinate of the crossing compared with x, without division
            lhs = (x - x1) * (y2 - y1)
            rhs = (x2 - x1) * (y - y1)
            if (y2 - y1) > 0:
                if lhs < rhs:
                    inside = not inside
            else:
                if lhs > rhs:
                    inside = not inside
    return inside


def point_in_polygon(p, poly):
    if not point_in_ring(p, poly[0]):
        return False
    return not any(point_in_ring(p, h) for h in poly[1:])


def clean_ring(coords):
    """round to 6 decimals, drop consecutive duplicate vertices and a-b-a
    spikes created by the rounding, return a closed ring."""
    pts = [(q(x), q(y)) for x, y in coords]
    if pts[0] == pts[-1]:
        pts = pts[:-1]
    changed = True
    while changed:
        changed = False
        out = []
        for p in pts:
            if not out or out[-1] != p:
                out.append(p)
        while len(out) > 1 and out[0] == out[-1]:
            out.pop()
        if len(out) != len(pts):
            changed = True
        pts = out
        n = len(pts)
        for i in range(n):
            if n > 3 and pts[i - 1] == pts[(i + 1) % n]:
                drop = {i, (i + 1) % n}
                pts = [p for k, p in enumerate(pts) if k not in drop]
                changed = True
                break
    return pts + [pts[0]]


def split_pinches(ring):
    """Split a closed ring at repeated vertices into simple closed loops."""
    pts = ring[:-1]
    seen = {}
    for j, p in enumerate(pts):
        if p in seen:
            i = seen[p]
            loop_a = pts[i:j]
            loop_b = pts[:i] + pts[j:]
            return split_pinches(loop_a + [loop_a[0]]) + split_pinches(loop_b + [loop_b[0]])
        seen[p] = j
    return [ring]


def ring_contains_ring(outer, inner):
    """True when the vertices of inner that are not vertices of outer are inside outer."""
    ov = set(outer)
    votes = [point_in_ring(p, outer) for p in inner[:-1] if p not in ov]
    return bool(votes) and all(votes)


def orient(ring, ccw):
    a = signed_area2(ring)
    if (a > 0) != ccw:
        return list(reversed(ring))
    return ring


def normalise_polygons(polys, repairs, label):
    """polys: list of list of rings (lon/lat floats). Returns list of polygons
    in integer coords, shells CCW and holes CW, with pinched rings repaired."""
    out = []
    for poly in polys:
        shell = clean_ring(poly[0])
        holes = [clean_ring(h) for h in poly[1:]]
        shell_loops = split_pinches(shell)
        hole_loops = []
        for h in holes:
            hl = split_pinches(h)
            if len(hl) > 1:
                repairs.append("%s: hole ring pinched at a repeated vertex, split into %d holes" % (label, len(hl)))
            hole_loops.extend(hl)
        if len(shell_loops) > 1:
            # a loop lying inside another loop is a hole ("inverted" ring);
            # otherwise it is a separate polygon touching at a point
            loops = sorted(shell_loops, key=lambda r: -abs(signed_area2(r)))
            shells = []
            for lp in loops:
                host = next((s for s in shells if ring_contains_ring(s, lp)), None)
                if host is None:
                    shells.append(lp)
                else:
                    hole_loops.append(lp)
            repairs.append("%s: exterior ring self-touches at a repeated vertex; split into %d shell(s) + %d hole(s)"
                           % (label, len(shells), len(loops) - len(shells)))
        else:
            shells = shell_loops
        polys_out = [[orient(s, True)] for s in shells]
        for h in hole_loops:
            host = [p for p in polys_out if ring_contains_ring(p[0], h)]
            if len(host) != 1:
                raise RuntimeError("%s: cannot assign hole" % label)
            host[0].append(orient(h, False))
        for p in polys_out:
            out.extend(split_disconnected(p, repairs, label))
    return out


def split_disconnected(poly, repairs, label):
    """A hole that touches its shell at two vertices cuts the polygon interior
    in two (OGC: 'interior is disconnected'). Split the polygon into the two
    pieces: shell arc A->B + hole arc B->A, and shell arc B->A + hole arc A->B
    (both rings keep the polygon interior on their left, so both come out
    counter-clockwise). Other holes go to the piece that contains them."""
    shell, holes = poly[0], poly[1:]
    for hi, h in enumerate(holes):
        shared = [p for p in shell[:-1] if p in set(h[:-1])]
        if len(shared) < 2:
            continue
        if len(shared) > 2:
            raise RuntimeError("%s: hole touches shell at %d points" % (label, len(shared)))
        a, b = shared
        s_open, h_open = shell[:-1], h[:-1]

        def arc(ring, p, r):
            i, j = ring.index(p), ring.index(r)
            return ring[i:j + 1] if i <= j else ring[i:] + ring[:j + 1]
        piece1 = arc(s_open, a, b) + arc(h_open, b, a)[1:]
        piece2 = arc(s_open, b, a) + arc(h_open, a, b)[1:]
        rest = holes[:hi] + holes[hi + 1:]
        out = []
        for pc in (piece1, piece2):
            ring = pc  # already closed: starts and ends at the same vertex
            assert ring[0] == ring[-1] and signed_area2(ring) > 0, label
            out.append([ring])
        for r in rest:
            host = [p for p in out if ring_contains_ring(p[0], r)]
            if len(host) != 1:
                raise RuntimeError("%s: cannot re-assign hole" % label)
            host[0].append(r)
        repairs.append("%s: a hole touches the exterior ring at two vertices (%s, %s) and (%s, %s), "
                       "which disconnects the interior; split into 2 polygons"
                       % (label, dq(a[0]), dq(a[1]), dq(b[0]), dq(b[1])))
        res = []
        for p in out:
            res.extend(split_disconnected(p, repairs, label))
        return res
    return [poly]


def seg_touch_points(s, t):
    """Intersection of two segments that intersect: returns ('cross', None)
    for a proper crossing or collinear overlap, otherwise ('touch', point)."""
    a, b = s
    c, d = t
    d1, d2, d3, d4 = cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
    if d1 == 0 and d2 == 0:
        # collinear: overlapping unless they only share one endpoint
        shared = {a, b} & {c, d}
        if len(shared) == 1:
            p = shared.pop()
            other_s = b if p == a else a
            other_t = d if p == c else c
            dot = (other_s[0] - p[0]) * (other_t[0] - p[0]) + (other_s[1] - p[1]) * (other_t[1] - p[1])
            if dot < 0:
                return ("touch", p)
        return ("cross", None)
    for p, dd, seg in ((a, d1, t), (b, d2, t), (c, d3, s), (d, d4, s)):
        if dd == 0 and on_segment(p, seg[0], seg[1]):
            return ("touch", p)
    return ("cross", None)


def rings_interactions(r1, r2):
    """(crossings, set of touch points) between two different rings"""
    crossings = 0
    touches = set()
    b2 = (min(p[0] for p in r2), max(p[0] for p in r2), min(p[1] for p in r2), max(p[1] for p in r2))
    segs2 = [(r2[j], r2[j + 1]) for j in range(len(r2) - 1)]
    for i in range(len(r1) - 1):
        a, b = r1[i], r1[i + 1]
        if max(a[0], b[0]) < b2[0] or min(a[0], b[0]) > b2[1] or max(a[1], b[1]) < b2[2] or min(a[1], b[1]) > b2[3]:
            continue
        for c, d in segs2:
            if (max(a[0], b[0]) < min(c[0], d[0]) or min(a[0], b[0]) > max(c[0], d[0])
                    or max(a[1], b[1]) < min(c[1], d[1]) or min(a[1], b[1]) > max(c[1], d[1])):
                continue
            if segs_intersect(a, b, c, d):
                kind, p = seg_touch_points((a, b), (c, d))
                if kind == "cross":
                    crossings += 1
                else:
                    touches.add(p)
    return crossings, touches


def free_vertex(ring, others):
    used = set()
    for o in others:
        used.update(o)
    for p in ring[:-1]:
        if p not in used:
            return p
    return None


def geom_problems(polys):
    """OGC validity checks in exact integer arithmetic: simple rings, shells
    CCW / holes CW, holes inside their shell and not nested, rings meeting
    only at points, connected interiors, polygons of a multipolygon with
    disjoint interiors."""
    probs = []
    rings = []  # (poly index, ring index, ring)
    for pi, poly in enumerate(polys):
        for k, ring in enumerate(poly):
            rings.append((pi, k, ring))
            for pr in ring_problems(ring):
                probs.append("polygon %d ring %d: %s" % (pi, k, pr))
            if k == 0 and signed_area2(ring) <= 0:
                probs.append("polygon %d outer ring not CCW" % pi)
            if k > 0 and signed_area2(ring) >= 0:
                probs.append("polygon %d inner ring %d not CW" % (pi, k))
    if probs:
        return probs
    # union-find over the rings of each polygon: every touch point links two
    # rings; a cycle means a disconnected interior
    parent = list(range(len(rings)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for i in range(len(rings)):
        for j in range(i + 1, len(rings)):
            crossings, touches = rings_interactions(rings[i][2], rings[j][2])
            if crossings:
                probs.append("rings %s and %s cross or share an edge" % (rings[i][:2], rings[j][:2]))
            if rings[i][0] != rings[j][0]:
                continue  # polygons of a multipolygon may touch at several points
            for _ in touches:
                ri, rj = find(i), find(j)
                if ri == rj:
                    probs.append("rings %s and %s: touching rings enclose/disconnect an area" % (rings[i][:2], rings[j][:2]))
                parent[ri] = rj
    # containment
    for pi, poly in enumerate(polys):
        shell = poly[0]
        for k, h in enumerate(poly[1:], 1):
            p = free_vertex(h, [shell])
            if p is None or not point_in_ring(p, shell):
                probs.append("polygon %d hole %d not inside shell" % (pi, k))
            for k2, h2 in enumerate(poly[1:], 1):
                if k2 != k:
                    p = free_vertex(h, [h2])
                    if p is not None and point_in_ring(p, h2):
                        probs.append("polygon %d hole %d nested in hole %d" % (pi, k, k2))
        for pj, other in enumerate(polys):
            if pj == pi:
                continue
            p = free_vertex(shell, [r for r in other])
            if p is not None and point_in_polygon(p, other):
                probs.append("polygon %d overlaps polygon %d" % (pi, pj))
    return probs


def polys_area_m2(polys):
    total = 0.0
    for poly in polys:
        for ring in poly:
            a = signed_area2(ring) / 2.0 / SCALE / SCALE  # deg^2 (holes negative)
            lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1) / SCALE
            total += a * (math.pi / 180 * EARTH_R) ** 2 * math.cos(math.radians(lat))
    return total


def centroid(polys):
    sa = 0.0
    sx = 0.0
    sy = 0.0
    ox, oy = polys[0][0][0]
    for poly in polys:
        for ring in poly:
            for i in range(len(ring) - 1):
                x1, y1 = ring[i][0] - ox, ring[i][1] - oy
                x2, y2 = ring[i + 1][0] - ox, ring[i + 1][1] - oy
                c = x1 * y2 - x2 * y1
                sa += c
                sx += (x1 + x2) * c
                sy += (y1 + y2) * c
    cx = sx / (3.0 * sa) + ox
    cy = sy / (3.0 * sa) + oy
    return cx / SCALE, cy / SCALE


def seg_dist2(p, a, b, kx):
    ax, ay = (a[0] - p[0]) * kx, a[1] - p[1]
    bx, by = (b[0] - p[0]) * kx, b[1] - p[1]
    dx, dy = bx - ax, by - ay
    L = dx * dx + dy * dy
    t = 0.0 if L == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / L))
    x, y = ax + t * dx, ay + t * dy
    return x * x + y * y


def interior_point(poly, n=24):
    """A point well inside the polygon (grid search maximising distance to
    the boundary). Returns ((x, y) int, distance in metres)."""
    shell = poly[0]
    xs = [p[0] for p in shell]
    ys = [p[1] for p in shell]
    kx = math.cos(math.radians(sum(ys) / len(ys) / SCALE))
    best = None
    for i in range(1, n):
        for j in range(1, n):
            p = (min(xs) + (max(xs) - min(xs)) * i // n, min(ys) + (max(ys) - min(ys)) * j // n)
            if not point_in_polygon(p, poly):
                continue
            d2 = min(seg_dist2(p, r[k], r[k + 1], kx) for r in poly for k in range(len(r) - 1))
            if best is None or d2 > best[0]:
                best = (d2, p)
    if best is None:
        return None, 0.0
    return best[1], math.sqrt(best[0]) / SCALE * (math.pi / 180 * EARTH_R)


def to_geojson_polys(polys):
    return [[[[dq(x), dq(y)] for x, y in ring] for ring in poly] for poly in polys]


def octagon(lat, lon, radius_m):
    ring = []
    for k in range(8):
        th = 2 * math.pi * k / 8  # counter-clockwise from east
        dlon = radius_m * math.cos(th) / (math.pi / 180 * EARTH_R * math.cos(math.radians(lat)))
        dlat = radius_m * math.sin(th) / (math.pi / 180 * EARTH_R)
        ring.append((q(lon + dlon), q(lat + dlat)))
    ring.append(ring[0])
    return [ring]


# --------------------------------------------------------------------------
# sites
# --------------------------------------------------------------------------

def nearest(lat, lon, items, lat_i, lon_i):
    return min(items, key=lambda t: haversine_m(lat, lon, t[lat_i], t[lon_i]))


def bearing_name(lat0, lon0, lat, lon):
    ang = math.degrees(math.atan2((lon - lon0) * math.cos(math.radians(lat0)), lat - lat0)) % 360
    return ["North", "East", "South", "West"][int(((ang + 45) % 360) // 90)]


def make_sites(src_features, repairs):
    sites = []
    region_seq = {}
    name_count = {}
    for idx, f in enumerate(src_features):
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        label = "source feature #%d (0-based, %s)" % (idx, g["type"])
        ipolys = normalise_polygons(polys, repairs, label)
        probs = geom_problems(ipolys)
        if probs:
            raise RuntimeError("%s still invalid after cleaning: %s" % (label, probs))
        clon, clat = centroid(ipolys)
        area_ha = polys_area_m2(ipolys) / 10000.0
        abbr, region, _cap, _la, _lo = nearest(clat, clon, REGIONS, 3, 4)
        region_seq[abbr] = region_seq.get(abbr, 0) + 1
        site_code = "GHA-%s-%04d" % (abbr, region_seq[abbr])
        sid = str(uuid.uuid5(NS, site_code))
        town = nearest(clat, clon, TOWNS, 1, 2)
        town_dist = haversine_m(clat, clon, town[1], town[2])
        rng = rng_for("site", idx)

        near_river = town[3] is not None and town_dist < 20000
        p_all = 0.30 + (0.25 if near_river else 0.0) + (0.10 if clon < -1.9 else 0.0)
        deposit = pick(rng, [("alluvial", p_all), ("hard_rock", 0.30), ("eluvial_colluvial", 0.15),
                             ("tailings", 0.05), ("unknown", 0.05)])
        status = pick(rng, [("active", 0.72), ("inactive", 0.12), ("abandoned", 0.08), ("unknown", 0.08)])
        legal = pick(rng, [("unlicensed", 0.62), ("formalization_in_progress", 0.14),
                           ("licensed", 0.12), ("unknown", 0.12)])

        # processing practices, kept coherent
        gravity_only = rng.random() < (0.14 if deposit == "alluvial" else 0.06)
        whole_ore = conc = open_burn = resid_burn = retorts = cyanid = cn_hg = False
        if not gravity_only:
            amal = pick(rng, [("whole", 0.42 if deposit == "hard_rock" else 0.30),
                              ("conc", 0.50), ("none", 0.15)])
            whole_ore = amal == "whole"
            conc = amal == "conc"
            if whole_ore or conc:
                open_burn = rng.random() < 0.75
                resid_burn = open_burn and rng.random() < 0.35
                retorts = rng.random() < (0.30 if conc else 0.12)
                cyanid = rng.random() < (0.35 if deposit in ("hard_rock", "tailings") else 0.18)
                cn_hg = cyanid and rng.random() < 0.7
            else:
                cyanid = rng.random() < 0.5

        # people and production (miners_total null for ~15%)
        miners = int(round(min(5000, max(5, 22 * area_ha ** 0.6 * math.exp(0.5 * normal(rng))))))
        women_share = uniform(rng, 0.10, 0.45)
        child_share = uniform(rng, 0.0, 0.10)
        miners_known = rng.random() >= 0.15
        gold = sig3(max(0.01, miners * lognormal(rng, 0.03, 0.5, 0.005, 0.2)))
        if whole_ore or conc:
            lo, hi = (3.0, 20.0) if whole_ore else (1.0, 3.0)
            ratio = math.exp(uniform(rng, math.log(lo * 1.02), math.log(hi * 0.98)))
            mercury = sig3(gold * ratio)
            assert lo <= mercury / gold <= hi, (mercury, gold)
        else:
            mercury = 0.0
        survey = day_in(rng, "2024-01-15", "2024-12-13")

        if legal == "licensed":
            tmpl = pick(rng, [("{town} Concession Block", 0.5), ("{town} Small-Scale Mine", 0.5)])
        elif deposit == "alluvial" and near_river:
            tmpl = pick(rng, [("{river} River Galamsey Area", 0.4), ("{river} Riverbank Pits", 0.3),
                              ("{town} Galamsey Area", 0.3)])
        else:
            tmpl = pick(rng, [("{town} Pit", 0.35), ("{town} Galamsey Area", 0.35), ("{town} {dir} Pits", 0.30)])
        base = tmpl.format(town=town[0], river=town[3],
                           dir=bearing_name(town[1], town[2], clat, clon))
        name_count[base] = name_count.get(base, 0) + 1
        name = "%s %d" % (base, name_count[base])

        props = {
            "site_code": site_code,
            "name": name,
            "country": "GHA",
            "admin1": region,
            "admin2": None,
            "status": status,
            "deposit_type": deposit,
            "whole_ore_amalgamation": whole_ore,
            "open_burning_amalgam": open_burn,
            "residential_burning_amalgam": resid_burn,
            "cyanide_leaching_hg_material": cn_hg,
            "concentrate_amalgamation": conc,
            "retorts": retorts,
            "gravity_only": gravity_only,
            "cyanidation": cyanid,
            "miners_total": miners if miners_known else None,
            "miners_women": (min(max(int(round(miners * women_share)), math.ceil(miners * 0.10)),
                                 math.floor(miners * 0.45)) if miners_known else None),
            "miners_children": (min(int(round(miners * child_share)), math.floor(miners * 0.10))
                                if miners_known else None),
            "mercury_use_kg_yr": mercury,
            "gold_production_kg_yr": gold,
            "legal_status": legal,
            "survey_date": survey,
            "data_source": DATA_SOURCE,
            "notes": SITE_NOTES,
        }
        check_site(props)
        sites.append({
            "id": sid, "idx": idx, "polys": ipolys, "clat": clat, "clon": clon,
            "area_ha": area_ha, "town": town[0], "town_dist": town_dist, "props": props,
        })
    names = [s["props"]["name"] for s in sites]
    assert len(set(names)) == len(names)
    codes = [s["props"]["site_code"] for s in sites]
    assert len(set(codes)) == len(codes)
    return sites


def check_site(p):
    amal = p["whole_ore_amalgamation"] or p["concentrate_amalgamation"]
    if p["gravity_only"]:
        assert not (amal or p["open_burning_amalgam"] or p["residential_burning_amalgam"]
                    or p["cyanide_leaching_hg_material"] or p["retorts"] or p["cyanidation"])
    if p["residential_burning_amalgam"]:
        assert p["open_burning_amalgam"]
    if p["cyanide_leaching_hg_material"]:
        assert p["cyanidation"] and amal
    if not amal:
        assert p["mercury_use_kg_yr"] == 0.0 and not p["open_burning_amalgam"] and not p["retorts"]
    else:
        r = p["mercury_use_kg_yr"] / p["gold_production_kg_yr"]
        assert (3 <= r <= 20) if p["whole_ore_amalgamation"] else (1 <= r <= 3)
    if p["miners_total"] is not None:
        t = p["miners_total"]
        assert 0 <= p["miners_women"] <= t and 0 <= p["miners_children"] <= t
        assert p["miners_women"] + p["miners_children"] <= t
        assert 0.10 <= p["miners_women"] / t <= 0.45 and p["miners_children"] / t <= 0.10
    else:
        assert p["miners_women"] is None and p["miners_children"] is None


# --------------------------------------------------------------------------
# hotspots
# --------------------------------------------------------------------------

HOTSPOT_PLAN = [
    # (town, kind, severity, inside a site?, name)
    ("Prestea", "amalgam_burning", "critical", True, "Amalgam burning spot, Prestea area"),
    ("Tarkwa", "ore_processing", "high", True, "Ore crushing and washing yard, Tarkwa area"),
    ("Bogoso", "tailings", "critical", True, "Tailings dump, Bogoso area"),
    ("Dunkwa-on-Offin", "river_sediment", "high", False, "Sediment deposit downstream of pits, Dunkwa-on-Offin area"),
    ("Kibi", "amalgam_burning", "high", True, "Amalgam burning spot, Kibi area"),
    ("Akwatia", "tailings", "medium", True, "Tailings pond, Akwatia area"),
    ("Obuasi", "ore_processing", "medium", True, "Ball-mill processing centre, Obuasi area"),
    ("Twifo Praso", "river_sediment", "high", False, "Turbid sediment plume, Twifo Praso area"),
    ("Konongo", "other", "low", True, "Flooded abandoned pit, Konongo area"),
]
GOLD_SHOPS = [
    ("Tarkwa", 5.30, -1.99, "high"),
    ("Obuasi", 6.20, -1.66, "medium"),
    ("Kibi", 6.17, -0.55, "medium"),
]


def inside_any_site(pt, sites):
    for s in sites:
        for poly in s["polys"]:
            if point_in_polygon(pt, poly):
                return s
    return None


def make_hotspots(sites):
    feats = []
    used = set()
    for k, (town, kind, sev, inside, name) in enumerate(HOTSPOT_PLAN):
        rng = rng_for("hotspot", k)
        code = "HS-%02d" % (k + 1)
        t = TOWN[town]
        # the largest not yet used site within 15 km of the town
        cands = sorted([s for s in sites if s["idx"] not in used
                        and haversine_m(s["clat"], s["clon"], t[1], t[2]) < 15000],
                       key=lambda s: (-s["area_ha"], s["idx"]))
        if not cands:
            raise RuntimeError("no site near %s" % town)
        site = cands[0]
        used.add(site["idx"])
        big = max(site["polys"], key=lambda p: abs(signed_area2(p[0])))
        if inside:
            pt, room = interior_point(big)
            radius = max(50.0, min(uniform(rng, 80, 300), room * 0.9))
            lon, lat = pt[0] / SCALE, pt[1] / SCALE
            ring = octagon(lat, lon, radius)
            host = inside_any_site((q(lon), q(lat)), sites)
            site_id = host["id"] if host else None
            assert site_id == site["id"]
        else:
            # just outside the site: walk away from the centroid until the
            # whole octagon is clear of every site polygon
            radius = uniform(rng, 60, 150)
            bearing = rng.random() * 2 * math.pi
            for step in range(1, 200):
                lat, lon = offset(site["clat"], site["clon"], 200.0 * step, bearing)
                ring = octagon(lat, lon, radius)
                if all(inside_any_site(p, sites) is None for p in ring[0] + [(q(lon), q(lat))]):
                    break
            else:
                raise RuntimeError("could not place %s" % code)
            site_id = None
        assert not geom_problems([ring])
        first = day_in(rng, "2024-01-10", "2024-06-30")
        last = day_in(rng, "2024-07-01", "2024-12-10")
        feats.append(feature(str(uuid.uuid5(NS, "hotspot:" + code)),
                             {"type": "Polygon", "coordinates": to_geojson_polys([ring])[0]},
                             {"site_id": site_id, "name": name, "kind": kind, "severity": sev,
                              "origin": "manual", "first_observed": first, "last_observed": last,
                              "notes": HOTSPOT_NOTES}))
    for k, (town, lat, lon, sev) in enumerate(GOLD_SHOPS):
        rng = rng_for("goldshop", k)
        code = "HS-%02d" % (len(HOTSPOT_PLAN) + k + 1)
        pt = (q(lon), q(lat))
        assert inside_any_site(pt, sites) is None, town
        first = day_in(rng, "2024-01-10", "2024-06-30")
        last = day_in(rng, "2024-07-01", "2024-12-10")
        feats.append(feature(str(uuid.uuid5(NS, "hotspot:" + code)),
                             {"type": "Point", "coordinates": [dq(pt[0]), dq(pt[1])]},
                             {"site_id": None, "name": "Gold buying shop (amalgam re-burning), %s" % town,
                              "kind": "gold_shop", "severity": sev, "origin": "manual",
                              "first_observed": first, "last_observed": last, "notes": HOTSPOT_NOTES}))
    return feats


# --------------------------------------------------------------------------
# samples
# --------------------------------------------------------------------------

# matrix: count, code, canonical unit, median, sigma, lo, hi, (dmin, dmax) metres
# from a site centroid (environmental) or a town (human), units as reported
# with weights and factor from the canonical unit, detection limit (canonical)
MATRICES = [
    ("soil", 90, "SOIL", 1.0, 1.4, 0.05, 80.0, (0, 2000), "env",
     [("mg/kg", 0.5, 1.0), ("ppm", 0.25, 1.0), (MICRO + "g/g", 0.25, 1.0)], 0.01),
    ("sediment", 70, "SEDIMENT", 0.5, 1.1, 0.02, 20.0, (300, 4000), "env",
     [("mg/kg", 0.5, 1.0), ("ppm", 0.25, 1.0), (MICRO + "g/g", 0.25, 1.0)], 0.01),
    ("tailings", 40, "TAILINGS", 20.0, 1.1, 1.0, 500.0, (0, 400), "env",
     [("mg/kg", 0.5, 1.0), ("ppm", 0.25, 1.0), (MICRO + "g/g", 0.25, 1.0)], 0.05),
    ("water", 60, "WATER", 1.0, 1.3, 0.05, 30.0, (300, 4000), "env",
     [(MICRO + "g/L", 0.5, 1.0), ("ppb", 0.3, 1.0), ("ng/mL", 0.2, 1.0)], 0.05),
    ("air", 25, "AIR", 300.0, 1.3, 10.0, 20000.0, (0, 1000), "env",
     [("ng/m\u00b3", 0.6, 1.0), (MICRO + "g/m3", 0.4, 0.001)], None),
    ("fish", 35, "FISH", 0.3, 0.8, 0.02, 2.5, (500, 4000), "env",
     [("mg/kg", 0.6, 1.0), ("ppm", 0.4, 1.0)], 0.01),
    ("hair", 40, "HAIR", 2.0, 0.9, 0.2, 25.0, (0, 1500), "human",
     [(MICRO + "g/g", 0.6, 1.0), ("ppm", 0.4, 1.0)], 0.05),
    ("urine", 20, "URINE", 8.0, 1.2, 0.5, 300.0, (0, 1500), "human",
     [(MICRO + "g/L", 0.6, 1.0), ("ug/L", 0.4, 1.0)], 0.2),
    ("blood", 20, "BLOOD", 6.0, 1.0, 0.5, 80.0, (0, 1500), "human",
     [(MICRO + "g/L", 0.6, 1.0), ("ug/L", 0.4, 1.0)], 0.2),
]

LAB_A = "Demo Lab A (invented)"
LAB_B = "Demo Lab B (invented)"
LAB_C = "Demo Lab C (invented)"
FIELD = "Demo Field Team (invented)"
# labs that report a detection limit with every result (others only for
# results below detection)
LAB_REPORTS_DL = {LAB_A: True, LAB_B: False, LAB_C: True, FIELD: False}


def method_for(rng, matrix):
    if matrix in ("soil", "sediment", "tailings", "fish", "hair"):
        return pick(rng, [(("DMA-80 (thermal decomposition AAS)", LAB_A), 0.6),
                          (("Lumex RA-915M + PYRO-915+ (thermal decomposition AAS)", LAB_B), 0.4)])
    if matrix == "air":
        return pick(rng, [(("Jerome J405", FIELD), 0.6),
                          (("Lumex RA-915M (Zeeman AAS, real-time)", FIELD), 0.4)])
    return pick(rng, [(("Lumex RA-915M (CV-AAS)", LAB_B), 0.5),
                      (("CV-AAS (acid digestion)", LAB_C), 0.5)])


def air_dl(method):
    return 50.0 if method.startswith("Jerome") else 2.0  # ng/m3


def make_samples(sites):
    feats = []
    # sites used for environmental sampling: a fixed, seeded selection of
    # inland sites (centroid >= 5.0 N keeps points off the sea)
    pool = [s for s in sites if s["clat"] >= 5.0]
    rng = rng_for("sample-sites")
    chosen = []
    pool = sorted(pool, key=lambda s: s["idx"])
    while len(chosen) < 50:
        s = pool[int(rng.random() * len(pool))]
        if s not in chosen:
            chosen.append(s)
    # towns for human biomonitoring: the 6 towns with most sites within 15 km
    def n_near(t):
        return sum(1 for s in sites if haversine_m(s["clat"], s["clon"], t[1], t[2]) < 15000)
    towns = sorted(TOWNS, key=lambda t: (-n_near(t), t[0]))[:6]
    print("biomonitoring towns:", ", ".join(t[0] for t in towns))

    for (matrix, count, code, median, sigma, lo, hi, (dmin, dmax), kind,
         units, dl_canon) in MATRICES:
        for n in range(1, count + 1):
            ext = "GH24-%s-%04d" % (code, n)
            rng = rng_for("sample", ext)
            if kind == "env":
                s = chosen[int(rng.random() * len(chosen))]
                lat0, lon0 = s["clat"], s["clon"]
            else:
                t = towns[int(rng.random() * len(towns))]
                lat0, lon0 = t[1], t[2]
            dist = uniform(rng, dmin, dmax)
            lat, lon = offset(lat0, lon0, dist, rng.random() * 2 * math.pi)
            assert haversine_m(lat0, lon0, lat, lon) <= 4000.5
            method, lab = method_for(rng, matrix)
            unit, factor = pick(rng, [((u, f), w) for u, w, f in units])
            dl = air_dl(method) if matrix == "air" else dl_canon
            bdl = rng.random() < 0.05
            if bdl:
                value = None
            else:
                v = lognormal(rng, median, sigma, max(lo, dl * 1.2), hi)
                value = sig3(v * factor)
            report_dl = bdl or LAB_REPORTS_DL[lab]
            props = {
                "external_id": ext,
                "campaign": CAMPAIGN,
                "matrix": matrix,
                "value": value,
                "unit": unit,
                "below_detection": bdl,
                "detection_limit": sig3(dl * factor) if report_dl else None,
                "method": method,
                "laboratory": lab,
                "sampled_at": day_in(rng, "2024-03-04", "2024-11-29"),
                "notes": SAMPLE_NOTES,
            }
            if value is not None and props["detection_limit"] is not None:
                assert value > props["detection_limit"]
            feats.append(feature(str(uuid.uuid5(NS, "sample:" + ext)),
                                 {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                                 props))
    return feats


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------

def feature(fid, geom, props):
    return {"type": "Feature", "id": fid, "geometry": geom, "properties": props}


def write_fc(path, feats):
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="\n")
    return len(text.encode("utf-8"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=pathlib.Path, default=DEFAULT_SOURCE)
    ap.add_argument("--out", type=pathlib.Path, default=DATA_DIR)
    args = ap.parse_args(argv)

    raw = args.source.read_bytes()
    src = json.loads(raw)
    digest = hashlib.sha256(raw).hexdigest()
    print("source %s sha256 %s, %d features" % (args.source, digest, len(src["features"])))
    if digest != SOURCE_SHA256:
        print("WARNING: source differs from the one the committed data was made from (%s); "
              "output will not match data/*.geojson" % SOURCE_SHA256, file=sys.stderr)
    repairs = []
    sites = make_sites(src["features"], repairs)
    for r in repairs:
        print("repaired:", r)

    site_feats = [feature(s["id"], {"type": "MultiPolygon", "coordinates": to_geojson_polys(s["polys"])},
                          s["props"]) for s in sites]
    hotspots = make_hotspots(sites)
    samples = make_samples(sites)

    args.out.mkdir(parents=True, exist_ok=True)
    for name, feats in (("sites.geojson", site_feats), ("hotspots.geojson", hotspots),
                        ("samples.geojson", samples)):
        size = write_fc(args.out / name, feats)
        print("wrote %-18s %4d features %9d bytes" % (name, len(feats), size))
        assert size < 3 * 1024 * 1024

    # summary
    def count(feats, key):
        c = {}
        for f in feats:
            v = f["properties"][key] if not callable(key) else key(f)
            c[v] = c.get(v, 0) + 1
        return dict(sorted(c.items(), key=lambda kv: str(kv[0])))

    print("sites per admin1:", count(site_feats, "admin1"))
    print("sites per status:", count(site_feats, "status"))
    print("sites per deposit_type:", count(site_feats, "deposit_type"))
    print("sites per legal_status:", count(site_feats, "legal_status"))
    for k in ("whole_ore_amalgamation", "open_burning_amalgam", "residential_burning_amalgam",
              "cyanide_leaching_hg_material", "concentrate_amalgamation", "retorts", "gravity_only",
              "cyanidation"):
        print("sites %s=true: %d" % (k, sum(1 for f in site_feats if f["properties"][k])))
    print("sites miners_total null:", sum(1 for f in site_feats if f["properties"]["miners_total"] is None))
    print("hotspots per kind:", count(hotspots, "kind"))
    print("hotspots per geometry:", count(hotspots, lambda f: f["geometry"]["type"]))
    print("samples per matrix:", count(samples, "matrix"))
    print("samples per unit:", count(samples, "unit"))
    print("samples per matrix/unit:", count(samples, lambda f: f["properties"]["matrix"] + " " + f["properties"]["unit"]))
    print("samples below detection:", sum(1 for f in samples if f["properties"]["below_detection"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
