"""The cross-table auditor: an attacker's integer program over every published figure.

Written from the README ("Privacy", "Scoring") and the published outputs only, not from the C
code: the count_zones and communes layers of tremplin.gpkg (labels and geometries), the
candidates layer (scores, windows, dwellings) and indicators.csv (empty dwellings). The unknowns
are the exact zone figures (integers >= 0, the total the sum of the six categories). Constraints:

- each zone label: "0" is 0; a published p is within the rounding of p (p-2..p+2) and at least T;
  "<T" is 1..T-1; "x" is at least T and at most every category its row still publishes;
- each commune label, unless it can be recomputed from the zone labels and the shares as the
  README says (then it is public knowledge and constrains nothing): the commune estimate sum(share x zone figure) within
  the rounding of p and at least T, in (0, T) for "<T", at least T and at most the commune's
  published categories for "x", 0 for "0";
- each candidate's score gives its commune's need in tenths of the largest need (README,
  "Scoring"): the need is the commune's published total over its empty dwellings, so the tenths
  can be recomputed from the communes layer and indicators.csv, and then constrain nothing. The
  auditor recomputes them; a candidate whose tenths are not those is a finding ("need") of its
  own: its score would then be made from something unpublished.

Shares are recomputed from the published geometries. For each zone cell labelled "<T" the
program is minimised and maximised; the cell is narrowed when that range is smaller than the
range its row's labels alone allow. Commune "<T" cells that are not recomputable are narrowed
when their range does not reach below 0.5 and above T - 0.5.

With several count editions, audit_trends does the same for trends.csv over the published zones
of every edition (count_zones_editions) and checks that each change is the difference of two
published figures.

Usage as a script: cross_audit.py OUTDIR (prints what it finds; exit 1 when a cell is narrowed).
"""
import csv
import math
import os
import sys

import numpy as np
from osgeo import ogr
from scipy.optimize import Bounds, LinearConstraint, milp

ogr.UseExceptions()
CATS = ["public_space", "emergency_shelter", "nonrecognised_shelter", "squat", "nonconventional",
        "third_parties"]
T = 5
BASE = 5
SMALL = "<%d" % T
BIG = 10 ** 6  # more people than any zone holds


def read(outdir):
    """The published figures: zone labels and geometries, commune labels and geometries, shares,
    the tenths of need the candidates' scores give, as a set per commune, empty dwellings per
    commune."""
    ds = ogr.Open(os.path.join(outdir, "tremplin.gpkg"))
    zones, zgeom = {}, {}
    for f in ds.GetLayerByName("count_zones"):
        zones[f["zone_id"]] = [f[c + "_label"] for c in CATS] + [f["total_label"]]
        zgeom[f["zone_id"]] = f.GetGeometryRef().Clone()
    communes, cgeom = {}, {}
    for f in ds.GetLayerByName("communes"):
        communes[f["nis_code"]] = [f[c + "_label"] for c in CATS] + [f["people_total_label"]]
        cgeom[f["nis_code"]] = f.GetGeometryRef().Clone()
    shares = {}
    for z, g in zgeom.items():
        parts = {c: g.Intersection(cg).GetArea() for c, cg in cgeom.items() if g.Intersects(cg)}
        inside = sum(parts.values())
        shares[z] = {c: a / inside for c, a in parts.items() if inside > 0 and a / inside > 1e-12}
    tenths = {}
    for f in ds.GetLayerByName("candidates"):
        rest = f["score"] - 50 * min(f["window_months"] / 60, 1) - 20 * min(f["dwellings"] / 20, 1)
        tenths.setdefault(f["nis_code"], set()).add(round(rest / 3) / 10)
    ds = None
    with open(os.path.join(outdir, "indicators.csv"), encoding="utf-8") as fh:
        empty = {r["nis_code"]: int(r["empty_dwellings"]) for r in csv.DictReader(fh)}
    return zones, communes, shares, tenths, empty


def label_bounds(label):
    """The interval a label gives a whole-number zone cell (the "x" upper bound is added apart)."""
    if label == "0":
        return 0, 0
    if label == SMALL:
        return 1, T - 1
    if label == "x":
        return T, BIG
    p = int(label)
    return max(p - BASE // 2, T), p + BASE // 2


def public_range(labels, k):
    """The middle and width of what zone row labels say of cell k (README: a withheld cell counts
    at the middle of its range; width 0 when published, infinite when not bounded above)."""
    lab = labels[k]
    if lab == SMALL:
        return T / 2, T - 2
    if lab == "x":
        caps = [int(l) + BASE // 2 for l in labels[:6] if l not in ("0", SMALL, "x")] if k < 6 else []
        if not caps:
            return T, math.inf
        return (T + min(caps)) / 2, min(caps) - T
    return int(lab), 0


def label_of(v):
    if v == 0:
        return "0"
    if v < T:
        return SMALL
    return "%d" % (BASE * math.floor(v / BASE + 0.5))


def derived(zones, shares, nis):
    """The commune's possible labels, recomputed from the zone labels alone (README: the sum of
    share x middle of each zone cell's range, "x" when the shares of the withheld ranges add up
    to more than 5), each a set: both sides of a rounding edge the shares' float error may cross."""
    out = []
    for k in range(7):
        mid = width = 0.0
        for z, sh in shares.items():
            if nis in sh:
                m, w = public_range(zones[z], k)
                mid += sh[nis] * m
                width += sh[nis] * w
        if width > BASE + 1e-6:
            out.append({"x"})
        elif width > BASE - 1e-6:
            out.append({"x", label_of(mid)})
        elif mid == 0:
            out.append({"0"})
        else:
            out.append({label_of(max(mid - 1e-6, 1e-9)), label_of(mid + 1e-6)})
    return out


def recomputable(zones, shares, nis, labels):
    return all(l in d for l, d in zip(labels, derived(zones, shares, nis)))


class Program:
    """The attacker's integer program: variables x[z, k] (six per zone)."""

    def __init__(self, zones, communes, shares, rows_only=None):
        self.zid = sorted(zones)
        self.ix = {z: i for i, z in enumerate(self.zid)}
        n = 6 * len(self.zid)
        self.rows, self.lo, self.hi = [], [], []
        self.vlo = np.zeros(n)
        self.vhi = np.full(n, float(BIG))
        self.integral = np.ones(n)
        self.nx = n
        for z in self.zid if rows_only is None else [rows_only]:
            self.zone_row(z, zones[z])
        self.recomputed = set()
        if rows_only is not None:
            return
        for nis, labels in communes.items():
            if recomputable(zones, shares, nis, labels):
                self.recomputed.add(nis)
            else:
                self.commune_row(nis, labels, shares)

    def var(self, z, k):
        return 6 * self.ix[z] + k

    def cell(self, z, k):
        """The coefficients of zone z's cell k (k = 6: the total)."""
        a = {}
        for j in range(6) if k == 6 else [k]:
            a[self.var(z, j)] = 1.0
        return a

    def add(self, coef, lo, hi):
        self.rows.append(coef)
        self.lo.append(lo)
        self.hi.append(hi)

    def zone_row(self, z, labels):
        for k, lab in enumerate(labels):
            lo, hi = label_bounds(lab)
            if k < 6:
                self.vlo[self.var(z, k)], self.vhi[self.var(z, k)] = lo, hi
            else:
                self.add(self.cell(z, 6), lo, hi)
            if lab == "x" and k < 6:
                for j in range(6):
                    if labels[j] not in ("0", SMALL, "x"):
                        self.add({self.var(z, k): 1.0, self.var(z, j): -1.0}, -np.inf, 0)

    def estimate(self, nis, k, shares):
        a = {}
        for z, sh in shares.items():
            if nis in sh:
                for v, c in self.cell(z, k).items():
                    a[v] = a.get(v, 0) + c * sh[nis]
        return a

    def commune_row(self, nis, labels, shares):
        half = BASE / 2
        for k, lab in enumerate(labels):
            e = self.estimate(nis, k, shares)
            if lab == "0":
                self.add(e, 0, 0)
            elif lab == SMALL:
                self.add(e, 1e-6, T - 1e-6)
            elif lab == "x":
                self.add(e, T, np.inf)
                for j in range(6):
                    if k < 6 and labels[j] not in ("0", SMALL, "x"):
                        d = dict(e)
                        for v, c in self.estimate(nis, j, shares).items():
                            d[v] = d.get(v, 0) - c
                        self.add(d, -np.inf, 1e-6)
            else:
                p = int(lab)
                self.add(e, max(p - half, T), p + half)

    def solve(self, objective, sign):
        n = len(self.vlo)
        c = np.zeros(n)
        for v, w in objective.items():
            c[v] = sign * w
        A = np.zeros((len(self.rows), n))
        for i, r in enumerate(self.rows):
            for v, w in r.items():
                A[i, v] = w
        cons = [LinearConstraint(A, self.lo, self.hi)] if self.rows else []
        res = milp(c, constraints=cons, integrality=self.integral, bounds=Bounds(self.vlo, self.vhi),
                   options={"time_limit": 60})
        if res.status != 0:
            raise RuntimeError("the published figures admit no solution (%s)" % res.message)
        return sign * res.fun

    def range(self, objective):
        return self.solve(objective, 1), self.solve(objective, -1)


def need_tenths(communes, empty):
    """Each commune's need in tenths of the largest, from the published figures only: its
    published total over its empty dwellings; no need (0 tenths) when the total is withheld."""
    need = {c: int(labels[6]) / empty[c] for c, labels in communes.items()
            if labels[6].isdigit() and empty.get(c, 0) > 0}
    top = max(need.values(), default=0)
    return {c: (math.floor(need[c] / top * 10) / 10 if c in need and top > 0 else 0)
            for c in communes}


def audit(outdir):
    """Every narrowed cell, as (table, key, figure, range from everything published, range its row
    alone allows), and the communes whose figures were recomputable from the zones."""
    zones, communes, shares, tenths, empty = read(outdir)
    full = Program(zones, communes, shares)
    names = CATS + ["total"]
    bad = []
    public = need_tenths(communes, empty)
    for nis, ts in sorted(tenths.items()):
        for t in sorted(ts):
            if abs(public.get(nis, 0) - t) > 1e-9:
                bad.append(("need", nis, "tenths", (t, t), (public.get(nis, 0),) * 2))
    for z in full.zid:
        for k, lab in enumerate(zones[z]):
            if lab != SMALL:
                continue
            row = Program(zones, communes, shares, rows_only=z).range(full.cell(z, k))
            got = full.range(full.cell(z, k))
            if got[0] > row[0] + 0.5 or got[1] < row[1] - 0.5:
                bad.append(("zone", z, names[k], got, row))
    for nis, labels in communes.items():
        if nis in full.recomputed:
            continue
        for k, lab in enumerate(labels):
            if lab == SMALL:
                got = full.range(full.estimate(nis, k, shares))
                if got[0] > 0.5 or got[1] < T - 0.5:
                    bad.append(("commune", nis, names[k], got, (0, T)))
    return bad, full.recomputed, len(communes)


def read_editions(outdir):
    """Every edition's published zone labels and shares (count_zones_editions, the communes'
    geometries) and the trends rows, as the files give them."""
    ds = ogr.Open(os.path.join(outdir, "tremplin.gpkg"))
    cgeom = {f["nis_code"]: f.GetGeometryRef().Clone() for f in ds.GetLayerByName("communes")}
    zones, shares = {}, {}
    for f in ds.GetLayerByName("count_zones_editions"):
        e, z, g = f["edition"], f["zone_id"], f.GetGeometryRef()
        zones.setdefault(e, {})[z] = [f[c + "_label"] for c in CATS] + [f["people_total_label"]]
        parts = {c: g.Intersection(cg).GetArea() for c, cg in cgeom.items() if g.Intersects(cg)}
        inside = sum(parts.values())
        sh = {c: a / inside for c, a in parts.items() if inside > 0 and a / inside > 1e-12}
        sh["region"] = sum(sh.values())
        shares.setdefault(e, {})[z] = sh
    ds = None
    with open(os.path.join(outdir, "trends.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return zones, shares, rows


def comparable_labels(ez, es, nis, scope, figs):
    """The labels an edition's figure on scope may read (README, "Count editions and trends"):
    its total's when the scope is all the edition counted, else the scope's categories summed as
    a commune figure is, from the edition's published zone labels."""
    if sorted(scope) == sorted(c for c in CATS if figs[c]["counted"] == "1"):
        return {figs["people_total"]["value_label"]}
    mid = width = 0.0
    for z, sh in es.items():
        if nis in sh:
            for c in scope:
                m, w = public_range(ez[z], CATS.index(c))
                mid += sh[nis] * m
                width += sh[nis] * w
    if width > BASE + 1e-6:
        return {"x"}
    return {label_of(max(mid - 1e-6, 1e-9)), label_of(mid + 1e-6)} if mid else {"0"}


def audit_trends(outdir):
    """The trends table, audited as the commune figures are: each edition's zone rows go through
    the row audit (the integer program of their own labels); each figure of trends, the region's
    and the comparable-scope ones included, must be one that edition's published zone labels give
    (then it is public knowledge, as a commune figure is), else it joins that edition's program as
    a commune row and must narrow no "<5" zone cell; each change must be the difference of the two
    published figures it joins, empty when either is withheld.  Returns (findings, figures
    recomputed, figures) where a finding is (what, key, figure, detail)."""
    zones, shares, rows = read_editions(outdir)
    bad, n, recomputed = [], 0, 0
    names = CATS + ["people_total"]
    by = {}
    for r in rows:
        by.setdefault((r["edition"], r["nis_code"] or "region"), {})[r["category"]] = r
    for (e, nis), figs in by.items():
        ez, es = zones.get(e, {}), shares.get(e, {})
        labels = [figs[c]["value_label"] if figs[c]["counted"] == "1" else "0" for c in names]
        n += 1
        if recomputable(ez, es, nis, labels):
            recomputed += 1
        else:
            prog = Program(ez, {nis: labels}, es, {}, {})
            for z in prog.zid:
                for k, lab in enumerate(ez[z]):
                    if lab != SMALL:
                        continue
                    row = Program(ez, {}, es, {}, {}, rows_only=z).range(prog.cell(z, k))
                    got = prog.range(prog.cell(z, k))
                    if got[0] > row[0] + 0.5 or got[1] < row[1] - 0.5:
                        bad.append(("zone", "%s %s" % (e, z), names[k], (got, row)))
        total = figs["people_total"]
        scope = [c.strip() for c in total["comparable_scope"].split(",") if c.strip()]
        pe = total["previous_edition"]
        for col, ed, efigs in (("comparable_value", e, figs),
                               ("comparable_previous", pe, by.get((pe, nis), {}))):
            if not pe or not efigs:
                continue
            want = comparable_labels(zones.get(ed, {}), shares.get(ed, {}), nis, scope, efigs)
            got = total[col] if total[col] != "" else "x"
            if got not in want and not (got == "x" and want & {"x", SMALL}):
                bad.append((col, "%s %s" % (e, nis), "people_total", (total[col], want)))
        for c in names:
            r = figs[c]
            prev = by.get((r["previous_edition"], nis), {}).get(c) if r["previous_edition"] else None
            pairs = [("change", r["value"], prev["value"] if prev and prev["counted"] == "1" else "",
                      r["counted"] == "1" and prev is not None and prev["counted"] == "1")]
            if c == "people_total" and r["previous_edition"]:
                pairs.append(("comparable_change", r["comparable_value"], r["comparable_previous"], True))
            for col, now, before, comparable in pairs:
                want = (str(int(now) - int(before)) if comparable and now != "" and before != ""
                        else "")
                if r[col] != want:
                    bad.append((col, "%s %s" % (e, nis), c, (r[col], want)))
    return bad, recomputed, n


if __name__ == "__main__":
    bad, rec, n = audit(sys.argv[1])
    print("communes recomputable from the zones: %d of %d" % (len(rec), n))
    for b in bad:
        print("narrowed: %s %s %s: [%.2f, %.2f], its row alone [%.2f, %.2f]"
              % (b[0], b[1], b[2], b[3][0], b[3][1], b[4][0], b[4][1]))
    sys.exit(1 if bad else 0)
