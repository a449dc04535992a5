#!/usr/bin/env python
"""SciPy / scikit-learn reference values for tagsmith's drift statistics (src/drift/).

Writes tests/fixtures/reference/drift.json with
  kstwo       scipy.stats.kstwo.sf / cdf on an (n, x) grid that visits every branch of
              scipy's _kolmogn (Ruben-Gambino, Durbin/MTW, Pomeranz, Pelz-Good, 2*smirnov)
  smirnov     scipy.special.smirnov on a grid
  ks2samp     scipy.stats.ks_2samp(a, b) (two-sided, method='auto'): ties, unequal and tiny
              sizes, identical samples, exact n ~ 3000, the 10000 / 10001 switch, 12000 vs 9000
  wasserstein scipy.stats.wasserstein_distance (+ weights) and Evidently's normed variant
  jensenshannon / tagCounts / cosine / centroid / special functions
  pca         sklearn PCA on a stored 500 x 40 matrix (solver 'auto' -> covariance_eigh) and on
              generated 2000 x 384 ('full') and 20000 x 384 ('auto' -> covariance_eigh) matrices
  columnDrift / datasetDrift  Evidently 0.5 default numerical-column rules, restated from
              evidently/calculations/stattests/registry.py (_get_default_stattest),
              ks_stattest.py, wasserstein_distance_norm.py, chisquare_stattest.py,
              z_stattest.py, jensenshannon.py + utils.get_binned_data, and
              calculations/data_drift.py (get_dataset_drift); Evidently itself is not installed.

Big samples are stored once ("bases", values rounded to 4 decimals) and cases refer to slices of
them plus an optional dyadic shift, so the JSON stays small while JS sees bit-identical doubles.
The 384-column PCA matrices come from a xorshift32 generator that the test reimplements; all
their entries are exact dyadic rationals, so both sides build identical matrices.

and tests/fixtures/reference/drift-monitor.json with
  rocAuc           sklearn roc_auc_score: n > 10,000 with ties, 15 vs 20,000 classes, all tied
  domainClassifier out-of-fold sklearn LogisticRegression(C=1) probabilities and their ROC AUC,
                   folds given (src/drift/domain.ts)

Run from the repository root (deterministic; re-running rewrites an identical file):
  .venv/bin/python scripts/reference/drift_fixtures.py
"""
from __future__ import annotations

import json
import math
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy import special, stats
from scipy.spatial import distance
from sklearn.decomposition import PCA

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "fixtures" / "reference" / "drift.json"


# --- xorshift32 + exact dyadic matrices (mirrored in tests/drift-stats.test.ts) ---
class XorShift32:
    def __init__(self, seed: int):
        self.s = seed & 0xFFFFFFFF
        if self.s == 0:
            raise ValueError("seed must be non-zero")

    def next(self) -> int:
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        self.s = s
        return s

    def ints(self, count: int, k: int) -> np.ndarray:
        return np.array([self.next() % k for _ in range(count)], dtype=np.int64)


LATENT_SCALES = [16, 12, 10, 8, 6, 5, 4, 3]


def generated_matrix(seed: int, rows: int, cols: int, extra_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """X = Z W + E with Z = (u - 128)/128 * scale_l, W = (v - 8)/8, E = (e - 64)/256 (all exact).

    Draw order: W (latent-major, L x cols), then per row: L latent values, then cols noise values.
    Returns (first `rows` rows, next `extra_rows` rows)."""
    g = XorShift32(seed)
    L = len(LATENT_SCALES)
    W = g.ints(L * cols, 16).reshape(L, cols) - 8  # over 8
    total = rows + extra_rows
    Z = np.empty((total, L), dtype=np.int64)
    E = np.empty((total, cols), dtype=np.int64)
    scales = np.array(LATENT_SCALES, dtype=np.int64)
    for r in range(total):
        Z[r] = (g.ints(L, 256) - 128) * scales  # over 128
        E[r] = g.ints(cols, 128) - 64  # over 256
    X = (Z @ W).astype(np.float64) / 1024.0 + E.astype(np.float64) / 256.0
    return X[:rows], X[rows:]


def fl(x) -> float:
    return float(x)


def r4(a: np.ndarray) -> list[float]:
    return [float(v) for v in np.round(a, 4)]


# --- Kolmogorov distribution grids ---
def kstwo_grid() -> list[dict]:
    ns = [1, 2, 3, 4, 5, 7, 10, 20, 50, 100, 140, 141, 200, 500, 1000, 5143, 20000, 100000, 100001, 2000000]
    out = []
    for n in ns:
        xs = {0.5 / n, 0.5 / n * (1 + 1e-9), 0.75 / n, 1.0 / n, 1.5 / n, 0.3, 0.45, 0.5, 0.6, 0.9,
              (n - 1) / n, 1 - 0.5 / n, 1.0, 1.2 / n if n > 1 else 0.9}
        for c in [0.05, 0.5, 0.754, 0.755, 1.0, 2.0, 2.19, 2.21, 3.0, 3.99, 4.01, 6.0, 10.0, 17.9, 18.1, 50.0, 300.0, 369.0, 371.0]:
            xs.add(math.sqrt(c / n))
        xs.add((1.4 / n) ** (2 / 3) * 0.999)
        xs.add((1.4 / n) ** (2 / 3) * 1.001)
        for x in sorted(v for v in xs if 0 < v <= 1):
            out.append({"n": n, "x": x, "sf": fl(stats.kstwo.sf(x, n)), "cdf": fl(stats.kstwo.cdf(x, n))})
    return out


def smirnov_grid() -> list[dict]:
    out = []
    for n in [1, 2, 3, 5, 10, 50, 141, 1000, 5143, 100000, 2000000]:
        xs = {0.0, 1.0 / n, 0.5 / n, 1.0, 1 - 1.0 / n, 1 - 0.5 / n, 0.5, 0.7, 0.3, 0.1}
        for c in [0.01, 0.2, 1.1, 2.2, 5.0, 20.0, 100.0, 354.0, 355.0]:
            xs.add(math.sqrt(c / n))
        for x in sorted(v for v in xs if 0 <= v <= 1):
            out.append({"n": n, "x": x, "sf": fl(special.smirnov(n, x))})
    return out


# --- samples ---
def make_bases() -> dict[str, list[float]]:
    rng = np.random.default_rng(20240611)
    return {
        "big_a": r4(rng.normal(0.0, 1.0, 12000)),
        "big_b": r4(rng.normal(0.0, 1.0, 9000)),
        "mid_a": r4(rng.normal(0.0, 1.0, 3000)),
        "mid_b": r4(rng.normal(0.05, 1.0, 2500)),
        "mid_c": r4(rng.standard_t(5, 3001)),
        "mid_d": r4(rng.normal(0.0, 1.1, 2999)),
    }


def resolve(spec, bases) -> np.ndarray:
    if isinstance(spec, list):
        return np.array(spec, dtype=np.float64)
    x = np.array(bases[spec["base"]][spec.get("start", 0):spec.get("end")], dtype=np.float64)
    return x + spec.get("shift", 0.0)


def ks_cases(bases) -> list[dict]:
    rng = np.random.default_rng(7)
    cases: list[tuple[str, object, object]] = [
        ("normal 50 vs 60", r4(rng.normal(0, 1, 50)), r4(rng.normal(0.3, 1, 60))),
        ("equal sizes 100 vs 100", r4(rng.normal(0, 1, 100)), r4(rng.normal(0.2, 1, 100))),
        ("equal sizes strong shift 200 vs 200", r4(rng.normal(0, 1, 200)), r4(rng.normal(1.5, 1, 200))),
        ("ties: integers 0-4, 200 vs 150", [float(v) for v in rng.integers(0, 5, 200)], [float(v) for v in rng.integers(0, 5, 150)]),
        ("ties: integers 0-9 shifted, 300 vs 280", [float(v) for v in rng.integers(0, 10, 300)], [float(v) for v in rng.integers(1, 11, 280)]),
        ("ties across samples, rounded to 1 decimal", [float(v) for v in np.round(rng.normal(0, 1, 120), 1)], [float(v) for v in np.round(rng.normal(0.1, 1, 90), 1)]),
        ("tiny 1 vs 1", [0.5], [1.5]),
        ("tiny 1 vs 1 equal", [2.0], [2.0]),
        ("tiny 1 vs 3", [0.0], [1.0, 2.0, 3.0]),
        ("tiny 2 vs 3", [0.1, 0.9], [0.3, 0.4, 2.0]),
        ("tiny 3 vs 3", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
        ("tiny 3 vs 2 interleaved", [1.0, 3.0, 5.0], [2.0, 4.0]),
        ("tiny 1 vs 5", [10.0], [1.0, 2.0, 3.0, 4.0, 5.0]),
        ("identical samples", r4(np.linspace(-1, 1, 37)), r4(np.linspace(-1, 1, 37))),
        ("same values different multiplicity", [1.0, 1.0, 2.0, 3.0], [1.0, 2.0, 2.0, 3.0, 3.0, 3.0]),
        ("discrete vs continuous", [float(v) for v in rng.integers(-2, 3, 80)], r4(rng.normal(0, 1, 70))),
        ("exact 3000 vs 2500 (gcd 500)", {"base": "mid_a"}, {"base": "mid_b"}),
        ("exact 3001 vs 2999 (coprime)", {"base": "mid_c"}, {"base": "mid_d"}),
        ("exact 3000 vs 2500 shifted (tiny p)", {"base": "mid_a"}, {"base": "mid_b", "shift": 0.25}),
        ("exact boundary 10000 vs 400", {"base": "big_a", "end": 10000}, {"base": "big_b", "end": 400, "shift": 0.125}),
        ("asymp boundary 10001 vs 400", {"base": "big_a", "end": 10001}, {"base": "big_b", "end": 400, "shift": 0.125}),
        ("asymp 12000 vs 9000 same distribution", {"base": "big_a"}, {"base": "big_b"}),
        ("asymp 12000 vs 9000 shift 1/32", {"base": "big_a"}, {"base": "big_b", "shift": 0.03125}),
        ("asymp 12000 vs 9000 shift 1/16", {"base": "big_a"}, {"base": "big_b", "shift": 0.0625}),
        ("asymp 12000 vs 9000 shift 1/2 (p underflows)", {"base": "big_a"}, {"base": "big_b", "shift": 0.5}),
        ("asymp 12000 vs 3 (en rounds to 3)", {"base": "big_a"}, [0.1, 0.7, 1.9]),
        ("asymp 12000 vs 50", {"base": "big_a"}, {"base": "big_b", "end": 50, "shift": 0.25}),
        ("asymp 12000 vs 160 (en 158)", {"base": "big_a"}, {"base": "big_b", "end": 160, "shift": 0.125}),
        ("asymp 12000 vs 1000 small shift", {"base": "big_a"}, {"base": "big_b", "end": 1000, "shift": 0.0625}),
        ("asymp 12000 vs 1 (en rounds to 1)", {"base": "big_a"}, [3.0]),
        ("asymp 9000 vs 12000 swapped", {"base": "big_b", "shift": 0.03125}, {"base": "big_a"}),
    ]
    out = []
    for name, a_spec, b_spec in cases:
        a = resolve(a_spec, bases)
        b = resolve(b_spec, bases)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = stats.ks_2samp(a, b)
        fell_back = any("Switching to method=asymp" in str(w.message) for w in caught)
        method = "exact" if max(len(a), len(b)) <= 10000 and not fell_back else "asymp"
        out.append({
            "name": name, "a": a_spec, "b": b_spec,
            "statistic": fl(res.statistic), "pvalue": fl(res.pvalue), "method": method,
            "location": fl(res.statistic_location), "sign": int(res.statistic_sign),
        })
    return out


def wasserstein_cases(bases) -> list[dict]:
    rng = np.random.default_rng(11)
    cases = [
        ("simple", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0], None, None),
        ("unequal sizes", r4(rng.normal(0, 1, 40)), r4(rng.normal(0.5, 2, 25)), None, None),
        ("ties", [1.0, 1.0, 2.0, 2.0, 2.0, 5.0], [1.0, 2.0, 2.0, 7.0], None, None),
        ("single values", [3.0], [-1.5], None, None),
        ("identical", [1.0, 2.0, 3.0], [3.0, 2.0, 1.0], None, None),
        ("weighted", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]),
        ("weighted uneven", [3.4, 3.9, 7.5, 7.8], [4.5, 1.4], [1.4, 0.9, 3.1, 7.2], [3.2, 3.5]),
        ("weighted with zero weight and ties", [1.0, 1.0, 2.0, 4.0], [1.0, 3.0, 3.0], [0.5, 0.0, 2.0, 1.0], [1.0, 2.0, 0.25]),
        ("constant reference", [2.0] * 30, r4(rng.normal(2, 0.01, 20)), None, None),
        ("big 12000 vs 9000", {"base": "big_a"}, {"base": "big_b", "shift": 0.0625}, None, None),
    ]
    out = []
    for name, u_spec, v_spec, uw, vw in cases:
        u = resolve(u_spec, bases)
        v = resolve(v_spec, bases)
        d = stats.wasserstein_distance(u, v, uw, vw)
        case = {"name": name, "u": u_spec, "v": v_spec, "distance": fl(d)}
        if uw is not None:
            case["uWeights"] = uw
            case["vWeights"] = vw
        else:
            # Evidently: wasserstein_distance(reference, current) / max(np.std(reference), 0.001)
            case["refStd"] = fl(np.std(u))
            case["normed"] = fl(d / max(np.std(u), 0.001))
        out.append(case)
    return out


def js_cases() -> tuple[list[dict], list[dict]]:
    vecs = [
        ("probabilities", [0.1, 0.4, 0.5], [0.3, 0.3, 0.4]),
        ("counts with zeros", [10, 0, 5, 3, 0], [0, 4, 5, 3, 0]),
        ("disjoint supports", [1, 2, 0, 0], [0, 0, 3, 1]),
        ("identical counts", [3, 3, 4], [6, 6, 8]),
        ("one category", [5], [2]),
        ("long sparse", [float(v) for v in np.r_[np.arange(50) % 7, np.zeros(10)]],
         [float(v) for v in np.r_[np.arange(50) % 5, np.ones(10)]]),
    ]
    js = []
    for name, p, q in vecs:
        js.append({"name": name, "p": [float(v) for v in p], "q": [float(v) for v in q],
                   "base2": fl(distance.jensenshannon(p, q, base=2)),
                   "natural": fl(distance.jensenshannon(p, q))})
    maps = [
        ("overlapping tags", {"python": 120, "pandas": 40, "numpy": 25, "regex": 3},
         {"python": 100, "pandas": 55, "polars": 12, "numpy": 20}),
        ("new tag only in current", {"javascript": 50, "reactjs": 30}, {"javascript": 45, "reactjs": 25, "next.js": 10}),
        ("same shares", {"a": 1, "b": 2}, {"b": 4, "a": 2}),
    ]
    tags = []
    for name, ref, cur in maps:
        keys = sorted(set(ref) | set(cur))
        p = [ref.get(k, 0) for k in keys]
        q = [cur.get(k, 0) for k in keys]
        tags.append({"name": name, "reference": ref, "current": cur, "keys": keys,
                     "distance": fl(distance.jensenshannon(p, q, base=2))})
    return js, tags


def cosine_cases() -> tuple[list[dict], dict]:
    rng = np.random.default_rng(5)
    pairs = [
        ("random 384", rng.normal(0, 1, 384), rng.normal(0, 1, 384)),
        ("nearly parallel", np.arange(1, 11, dtype=float), np.arange(1, 11, dtype=float) * 2 + 1e-3),
        ("opposite", np.array([1.0, -2.0, 3.0]), np.array([-1.0, 2.0, -3.0])),
        ("orthogonal", np.array([1.0, 0.0]), np.array([0.0, 5.0])),
    ]
    out = [{"name": n, "u": [float(x) for x in np.round(u, 6)], "v": [float(x) for x in np.round(v, 6)],
            "distance": fl(distance.cosine(np.round(u, 6), np.round(v, 6)))} for n, u, v in pairs]
    rows = np.round(rng.normal(0, 1, (25, 16)), 6)
    cen = {"rows": rows.tolist(), "mean": [float(v) for v in rows.mean(axis=0)]}
    return out, cen


def special_cases() -> dict:
    xs = [-3.0, -1.0, -0.2, 0.0, 1e-8, 0.1, 0.5, 1.0, 1.5, 2.0, 2.49, 2.51, 3.0, 4.0, 6.0, 10.0, 20.0, 26.5]
    return {
        "erfc": [{"x": x, "value": fl(special.erfc(x))} for x in xs],
        "normalCdf": [{"z": z, "value": fl(stats.norm.cdf(z))} for z in [-8.0, -3.0, -1.0, 0.0, 0.5, 1.96, 3.0, 8.0]],
        "chi2Sf": [{"stat": s, "df": df, "value": fl(stats.chi2.sf(s, df))}
                   for df in [1, 2, 3, 4] for s in [0.0, 0.01, 0.5, 1.0, 3.84, 7.5, 20.0, 100.0, 700.0]],
    }


def pca_case(name: str, X: np.ndarray, current: np.ndarray, k: int, solver: str, store: dict | None) -> dict:
    pca = PCA(n_components=k, svd_solver=solver).fit(X)
    case = {
        "name": name, "k": k, "svdSolver": solver, "fitSolver": pca._fit_svd_solver,
        "shape": list(X.shape),
        "mean": [float(v) for v in pca.mean_],
        "components": pca.components_.tolist(),
        "explainedVariance": [float(v) for v in pca.explained_variance_],
        "explainedVarianceRatio": [float(v) for v in pca.explained_variance_ratio_],
        "singularValues": [float(v) for v in pca.singular_values_],
        "projections": pca.transform(current).tolist(),
    }
    if store is not None:
        case.update(store)
    return case


def pca_cases() -> list[dict]:
    rng = np.random.default_rng(3)
    # 500 x 40: 4 latent directions with distinct scales + isotropic noise; stored inline.
    basis = np.linalg.qr(rng.normal(size=(40, 4)))[0].T
    latent = rng.normal(size=(500 + 60, 4)) * np.array([5.0, 3.0, 2.0, 1.2])
    M = np.round(latent @ basis + rng.normal(0, 0.3, (560, 40)) + 1.5, 6)
    X, cur = M[:500], M[500:]
    cases = [pca_case("structured 500x40", X, cur, 5, "auto", {"data": X.tolist(), "current": cur.tolist()})]
    X2, cur2 = generated_matrix(12345, 2000, 384, 100)
    cases.append(pca_case("generated 2000x384", X2, cur2, 8, "full",
                          {"generator": {"seed": 12345, "rows": 2000, "cols": 384, "extraRows": 100}}))
    X3, cur3 = generated_matrix(777, 20000, 384, 50)
    cases.append(pca_case("generated 20000x384", X3, cur3, 8, "auto",
                          {"generator": {"seed": 777, "rows": 20000, "cols": 384, "extraRows": 50}}))
    return cases


# --- Evidently 0.5 default rules for numerical columns (restated; see module docstring) ---
def evidently_column(ref: np.ndarray, cur: np.ndarray) -> dict:
    n_values = len(set(ref.tolist()) | set(cur.tolist()))
    keys = sorted(set(ref.tolist()) | set(cur.tolist()))
    if len(ref) <= 1000:
        if n_values > 5:
            p = fl(stats.ks_2samp(ref, cur)[1])
            return {"method": "ks", "score": p, "drifted": p <= 0.05}
        if n_values > 2:
            k_norm = len(cur) / len(ref)
            f_exp = [float(np.sum(ref == k)) * k_norm for k in keys]
            f_obs = [float(np.sum(cur == k)) for k in keys]
            with np.errstate(divide="ignore", invalid="ignore"):
                p = fl(stats.chisquare(f_obs, f_exp)[1])
            return {"method": "chisquare", "score": p, "drifted": p < 0.05}
        if len(keys) == 1:
            p = 1.0
        else:
            r = (ref != keys[0]).astype(float)
            c = (cur != keys[0]).astype(float)
            n1, n2 = len(r), len(c)
            p1, p2 = r.sum() / n1, c.sum() / n2
            P = (p1 * n1 + p2 * n2) / (n1 + n2)
            z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
            p = fl(2 * (1 - stats.norm.cdf(np.abs(z))))
        return {"method": "z", "score": p, "drifted": p < 0.05}
    if n_values > 5:
        d = fl(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))
        return {"method": "wasserstein", "score": d, "drifted": d >= 0.1}
    rp = np.array([np.sum(ref == k) / len(ref) for k in keys])
    cp = np.array([np.sum(cur == k) / len(cur) for k in keys])
    d = fl(distance.jensenshannon(rp, cp, 2))
    return {"method": "jensenshannon", "score": d, "drifted": d >= 0.1}


def column_drift_cases(bases) -> list[dict]:
    rng = np.random.default_rng(99)
    ints = lambda lo, hi, n: [float(v) for v in rng.integers(lo, hi, n)]  # noqa: E731
    cases = [
        ("small ref, no drift (ks)", r4(rng.normal(0, 1, 500)), r4(rng.normal(0, 1, 400))),
        ("small ref, drift (ks)", r4(rng.normal(0, 1, 500)), r4(rng.normal(0.4, 1, 400))),
        ("small ref exactly 1000 rows (ks)", r4(rng.normal(0, 1, 1000)), r4(rng.normal(0.1, 1, 300))),
        ("large ref 1001 rows (wasserstein)", r4(rng.normal(0, 1, 1001)), r4(rng.normal(0.1, 1, 300))),
        ("large ref, no drift (wasserstein)", {"base": "big_a", "end": 5000}, {"base": "big_b", "end": 2000}),
        ("large ref, drift (wasserstein)", {"base": "big_a", "end": 5000}, {"base": "big_b", "end": 2000, "shift": 0.25}),
        ("large constant ref (std floor 0.001)", [1.0] * 1500, r4(rng.normal(1, 0.0001, 200))),
        ("small ref, 3 values (chisquare)", ints(0, 3, 300), ints(0, 3, 200)),
        ("small ref, 5 values shifted (chisquare)", ints(0, 5, 300), ints(0, 5, 100) + [4.0] * 60),
        ("small ref, value only in current (chisquare p=0)", ints(0, 3, 300), ints(0, 4, 200)),
        ("small ref, 2 values (z)", ints(0, 2, 400), [float(v) for v in (rng.random(300) < 0.6)]),
        ("small ref, one shared value (z, p=1)", [7.0] * 50, [7.0] * 20),
        ("large ref, 4 values (jensenshannon)", ints(0, 4, 3000), ints(0, 4, 1000)),
        ("large ref, 4 values drifted (jensenshannon)", ints(0, 4, 3000), ints(0, 2, 1000)),
        ("small ref, 6 values integers (ks with ties)", ints(0, 6, 200), ints(0, 6, 150)),
    ]
    out = []
    for name, r_spec, c_spec in cases:
        ref = resolve(r_spec, bases)
        cur = resolve(c_spec, bases)
        out.append({"name": name, "reference": r_spec, "current": c_spec, **evidently_column(ref, cur)})
    return out


def dataset_drift_cases() -> list[dict]:
    out = []
    for flags in [[True, False], [True, False, False], [True, True, False], [False] * 4, [True] * 3,
                  [True, False, False, False, True, False]]:
        share = sum(flags) / len(flags)  # evidently get_dataset_drift
        out.append({"flags": flags, "nDrifted": sum(flags), "share": share, "drifted": bool(share >= 0.5)})
    return out


def main() -> None:
    bases = make_bases()
    js, tags = js_cases()
    cos, cen = cosine_cases()
    fixture = {
        "generatedBy": "scripts/reference/drift_fixtures.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                     "sklearn": sklearn.__version__},
        "bases": bases,
        "kstwo": kstwo_grid(),
        "smirnov": smirnov_grid(),
        "ks2samp": ks_cases(bases),
        "wasserstein": wasserstein_cases(bases),
        "jensenshannon": js,
        "tagCounts": tags,
        "cosine": cos,
        "centroid": cen,
        "special": special_cases(),
        "pca": pca_cases(),
        "columnDrift": column_drift_cases(bases),
        "datasetDrift": dataset_drift_cases(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(REPO)} ({OUT.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    write_monitor_fixture()


# --- tests/fixtures/reference/drift-monitor.json: what `tagsmith drift` adds on top ---
MONITOR_OUT = REPO / "tests" / "fixtures" / "reference" / "drift-monitor.json"


def roc_cases() -> list[dict]:
    """sklearn roc_auc_score where the domain classifier needs it: n > 10,000, heavy ties,
    very unequal class sizes (scores are integers or 2-decimal values so ties are exact)."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(515)
    out = []

    def add(name, y, s):
        y = np.asarray(y, dtype=np.int64)
        s = np.asarray(s, dtype=np.float64)
        out.append({"name": name, "labels": [int(v) for v in y], "scores": [float(v) for v in s],
                    "auc": fl(roc_auc_score(y, s))})

    y = (rng.random(12000) < 0.3).astype(int)
    add("n 12000, scores rounded to 2 decimals (ties)", y, np.round(rng.random(12000) * 0.8 + y * 0.15, 2))
    y = np.r_[np.ones(15, dtype=int), np.zeros(20000, dtype=int)]
    add("unequal classes 15 vs 20000, integer scores 0..9", y, np.r_[rng.integers(3, 10, 15), rng.integers(0, 10, 20000)])
    y = np.r_[np.zeros(800, dtype=int), np.ones(120, dtype=int)]
    add("800 reference vs 120 current, continuous", y, np.r_[r4(rng.normal(0, 1, 800)), r4(rng.normal(0.3, 1, 120))])
    y = (rng.random(10001) < 0.5).astype(int)
    add("n 10001, all scores tied", y, np.full(10001, 0.25))
    return out


def domain_cases() -> list[dict]:
    """Out-of-fold ROC AUC of sklearn LogisticRegression (C=1, lbfgs, converged) telling reference
    rows (label 0) from current rows (label 1), with the fold of every row given."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(2718)
    out = []
    for name, n_ref, n_cur, shift in [("same distribution 200 vs 150", 200, 150, 0.0),
                                      ("shifted dims 0-2 by 0.4, 200 vs 150", 200, 150, 0.4),
                                      ("strong shift 120 vs 300, 3 folds", 120, 300, 1.5)]:
        d = 8
        ref = np.round(rng.normal(0, 1, (n_ref, d)), 4)
        cur = np.round(rng.normal(0, 1, (n_cur, d)), 4)
        cur[:, :3] += shift
        X = np.vstack([ref, cur])
        y = np.r_[np.zeros(n_ref, dtype=int), np.ones(n_cur, dtype=int)]
        folds = 3 if "3 folds" in name else 2
        fold_of = np.r_[rng.permutation(n_ref) % folds, rng.permutation(n_cur) % folds]
        proba = np.empty(len(y))
        for f in range(folds):
            tr, te = fold_of != f, fold_of == f
            clf = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(X[tr], y[tr])
            proba[te] = clf.predict_proba(X[te])[:, 1]
        out.append({"name": name, "reference": ref.tolist(), "current": cur.tolist(), "folds": folds,
                    "foldOf": [int(v) for v in fold_of], "proba": [float(v) for v in proba],
                    "auc": fl(roc_auc_score(y, proba))})
    return out


def write_monitor_fixture() -> None:
    fixture = {
        "generatedBy": "scripts/reference/drift_fixtures.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                     "sklearn": sklearn.__version__},
        "rocAuc": roc_cases(),
        "domainClassifier": domain_cases(),
    }
    MONITOR_OUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {MONITOR_OUT.relative_to(REPO)} ({MONITOR_OUT.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
