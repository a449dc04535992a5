"""Reference fixture for the one-vs-rest logistic-regression head (src/learn/logreg/index.ts).

Builds a small seeded multilabel problem shaped like tagsmith's features (an L2-normalised
dense block like sentence embeddings, a sparse TF-IDF-like block, labels with unequal base
rates), fits scikit-learn's OneVsRestClassifier(LogisticRegression(solver='lbfgs')) for several
settings, and writes data, coefficients, intercepts and probabilities to
tests/fixtures/reference/logreg.json. Also records numpy float16 bit patterns for the
hand-written half-precision conversion in src/core/head.ts.

Run from the repository root:  .venv/bin/python scripts/reference/logreg_fixture.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "reference" / "logreg.json"

N = 600
DENSE = 20
SPARSE = 40
NNZ = 6  # non-zeros per sparse row (before l2 normalisation)
TAGS = 5
SEED = 20240607


def f32(v: float) -> float:
    """Shortest decimal that reads back as the same float32."""
    return float(np.format_float_positional(np.float32(v), unique=True, trim="-"))


def make_data(rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[list[int], list[float]]], np.ndarray]:
    """Dense rows (anisotropic, L2-normalised), sparse rows (positive, L2-normalised), label matrix."""
    mean = rng.normal(size=DENSE)  # common direction, as sentence embeddings have
    mix = rng.normal(size=(DENSE, DENSE)) / np.sqrt(DENSE)
    dense = mean * 0.8 + rng.normal(size=(N, DENSE)) @ mix
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    dense = dense.astype(np.float32)

    # Zipf-like term popularity so some sparse columns are common and some rare.
    pop = 1.0 / np.arange(1, SPARSE + 1)
    pop /= pop.sum()
    sparse_rows: list[tuple[list[int], list[float]]] = []
    sparse = np.zeros((N, SPARSE), dtype=np.float32)
    for i in range(N):
        idx = np.sort(rng.choice(SPARSE, size=NNZ, replace=False, p=pop))
        val = rng.uniform(0.2, 1.0, size=NNZ)
        val = (val / np.linalg.norm(val)).astype(np.float32)
        sparse_rows.append((idx.tolist(), [float(v) for v in val]))
        sparse[i, idx] = val

    # Labels from a latent linear model; base rates from common (~50 %) to rare (~4 %).
    x = np.hstack([dense, sparse]).astype(np.float64)
    w = rng.normal(size=(DENSE + SPARSE, TAGS)) * 3.0
    logits = x @ w
    rates = np.array([0.5, 0.3, 0.15, 0.08, 0.04])
    y = np.zeros((N, TAGS), dtype=np.int64)
    for t in range(TAGS):
        thr = np.quantile(logits[:, t], 1 - rates[t])
        noisy = logits[:, t] + rng.normal(scale=0.7 * logits[:, t].std(), size=N)
        y[:, t] = (noisy > thr).astype(np.int64)
    return dense, sparse_rows, y


def fit_case(name: str, x: np.ndarray, y: np.ndarray, C: float, class_weight: str | None, layout: dict) -> dict:
    clf = OneVsRestClassifier(LogisticRegression(C=C, solver="lbfgs", tol=1e-10, max_iter=100000, class_weight=class_weight))
    clf.fit(x, y)
    coef = np.vstack([e.coef_.ravel() for e in clf.estimators_])  # (tags, dim)
    intercept = np.array([e.intercept_[0] for e in clf.estimators_])
    proba = clf.predict_proba(x)  # (n, tags) per-label sigmoid for multilabel targets
    # Objective per tag, sklearn's mean-scaled form, for reference.
    z = x @ coef.T + intercept
    losses = []
    for t in range(y.shape[1]):
        yt = y[:, t]
        if class_weight == "balanced":
            pos = yt.sum()
            s = np.where(yt == 1, len(yt) / (2 * pos), len(yt) / (2 * (len(yt) - pos)))
        else:
            s = np.ones(len(yt))
        ll = np.logaddexp(0, z[:, t]) - yt * z[:, t]
        losses.append(float((s * ll).sum() / s.sum() + coef[t] @ coef[t] / (2 * C * s.sum())))
    return {
        "name": name,
        "C": C,
        "classWeight": class_weight,
        "layout": layout,
        "coef": coef.tolist(),
        "intercept": intercept.tolist(),
        "proba": proba.tolist(),
        "objective": losses,
        "nIter": [int(e.n_iter_[0]) for e in clf.estimators_],
    }


def main() -> None:
    rng = np.random.default_rng(SEED)
    dense, sparse_rows, y = make_data(rng)
    d64 = dense.astype(np.float64)  # exact float32 values, as the TypeScript side sees them
    s64 = np.zeros((N, SPARSE))
    for i, (idx, val) in enumerate(sparse_rows):
        s64[i, idx] = np.asarray(val, dtype=np.float32).astype(np.float64)

    def layout(dd: int, sd: int, dw: float = 1.0, sw: float = 1.0) -> dict:
        return {"denseDim": dd, "sparseDim": sd, "denseWeight": dw, "sparseWeight": sw}

    # Block weights are exactly representable in float32 so both sides scale identically.
    dw, sw = 0.75, 1.5
    cases = [
        fit_case("hybrid", np.hstack([d64, s64]), y, 1.0, None, layout(DENSE, SPARSE)),
        fit_case("hybrid_balanced", np.hstack([d64, s64]), y, 0.5, "balanced", layout(DENSE, SPARSE)),
        fit_case(
            "hybrid_weighted",
            np.hstack([(dense * np.float32(dw)).astype(np.float64), (s64.astype(np.float32) * np.float32(sw)).astype(np.float64)]),
            y,
            4.0,
            None,
            layout(DENSE, SPARSE, dw, sw),
        ),
        fit_case("dense_only", d64, y, 2.0, "balanced", layout(DENSE, 0)),
        fit_case("sparse_only", s64, y, 1.0, None, layout(0, SPARSE)),
    ]

    half_inputs = [0.0, -0.0, 1.0, -2.5, 0.1, 1 / 3, 65504.0, 70000.0, -1e-5, 6.0e-8, 2.0e-8, 3.0e-8, 1.0009765625, 1.00048828125, 1.00146484375, 12345.678]
    with np.errstate(over="ignore"):  # 70000 -> inf on purpose
        half = [{"value": v, "bits": int(np.array(v, dtype=np.float32).astype(np.float16).view(np.uint16))} for v in half_inputs]

    data = {
        "generator": "scripts/reference/logreg_fixture.py",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
        "seed": SEED,
        "n": N,
        "denseDim": DENSE,
        "sparseDim": SPARSE,
        "numTags": TAGS,
        # float32 values written as their shortest round-tripping decimal (read back with Math.fround)
        "dense": [[f32(v) for v in row] for row in dense],
        "sparse": [{"indices": idx, "values": [f32(v) for v in val]} for idx, val in sparse_rows],
        "labels": [np.flatnonzero(row).tolist() for row in y],
        "cases": cases,
        "float16": half,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes); positives per tag: {y.sum(axis=0).tolist()}")
    for c in cases:
        print(f"  {c['name']}: n_iter {c['nIter']}")


if __name__ == "__main__":
    main()
