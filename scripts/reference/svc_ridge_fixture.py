"""Reference fixture for the v2 head's learners (src/learn/svc.ts, ridge.ts, calibrate.ts).

A small seeded multilabel problem shaped like tagsmith's TF-IDF rows (sparse, positive, L2-normalised,
Zipf-like term popularity) and sentence embeddings (dense, L2-normalised), then:
  - OneVsRest LinearSVC(loss='squared_hinge', dual=True, C, tol=1e-8, intercept_scaling=1) per tag
    on the sparse rows: coefficients, intercepts and decision values;
  - Ridge(alpha, fit_intercept=True) on targets 2*Y-1 on the dense rows: coefficients, intercepts;
  - Platt scaling: LogisticRegression(C=1e12) on the single feature z (the SVM margins of every
    (row, tag) pair) against the labels, i.e. sigmoid(a z + c) by maximum likelihood.
Writes tests/fixtures/reference/svc_ridge.json.

Run from the repository root:  .venv/bin/python scripts/reference/svc_ridge_fixture.py
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "reference" / "svc_ridge.json"
N, DENSE, SPARSE, NNZ, TAGS, SEED = 400, 12, 60, 7, 6, 20261202


def main() -> None:
    rng = np.random.default_rng(SEED)
    pop = 1.0 / np.arange(1, SPARSE + 1)
    pop /= pop.sum()
    rows = []
    X = np.zeros((N, SPARSE))
    for i in range(N):
        cols = np.sort(rng.choice(SPARSE, size=NNZ, replace=False, p=pop))
        vals = rng.uniform(0.2, 1.0, size=NNZ)
        vals /= np.linalg.norm(vals)
        X[i, cols] = vals.astype(np.float32)
        rows.append(([int(c) for c in cols], [float(np.float32(v)) for v in vals]))
    dense = rng.normal(size=(N, DENSE)) + 0.5
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    dense = dense.astype(np.float32)
    # Labels driven by a few terms and dense directions, with unequal base rates (one tag rare).
    W = rng.normal(size=(SPARSE, TAGS)) * 2
    V = rng.normal(size=(DENSE, TAGS)) * 2
    logits = X @ W + dense @ V + np.array([-1.0, -1.5, -2.0, -2.5, -3.0, -4.0])
    Y = (rng.uniform(size=logits.shape) < 1 / (1 + np.exp(-logits))).astype(np.int64)
    cases = []
    for C in (0.5, 2.0):
        coef, icpt, dec = [], [], []
        for t in range(TAGS):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                m = LinearSVC(C=C, loss="squared_hinge", dual=True, tol=1e-8, max_iter=100000).fit(X.astype(np.float32), Y[:, t])
            coef.append([float(v) for v in m.coef_[0]])
            icpt.append(float(m.intercept_[0]))
            dec.append([float(v) for v in m.decision_function(X.astype(np.float32))])
        cases.append({"C": C, "coef": coef, "intercept": icpt, "decision": dec})
    ridge = []
    for alpha in (0.1, 3.0):
        m = Ridge(alpha=alpha, fit_intercept=True).fit(dense.astype(np.float64), 2 * Y - 1)
        ridge.append({"alpha": alpha, "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist()})
    z = np.array(cases[0]["decision"]).T  # N x TAGS margins
    lr = LogisticRegression(C=1e12, tol=1e-12, max_iter=10000).fit(z.reshape(-1, 1), Y.reshape(-1))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "sklearn": sklearn.__version__,
        "sparse": rows, "sparseDim": SPARSE,
        "dense": dense.tolist(),
        "labels": [[int(t) for t in np.flatnonzero(Y[i])] for i in range(N)],
        "svc": cases, "ridge": ridge,
        "platt": {"a": float(lr.coef_[0][0]), "c": float(lr.intercept_[0])},
    }) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} (scikit-learn {sklearn.__version__}); positives per tag {Y.sum(0).tolist()}")


if __name__ == "__main__":
    main()
