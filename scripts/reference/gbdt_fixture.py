"""Reference fixture for the re-ranker's gradient-boosted trees (src/learn/gbdt.ts, src/core/gbdt.ts).

A seeded binary problem shaped like the re-ranker's rows (src/core/rerank.ts): a few continuous
features (scores, ranks, a log prior) and 0/1 flags, labels from a non-linear rule with noise.
scikit-learn's HistGradientBoostingClassifier with the same settings as our trainer
(depth-wise trees of max_depth 4, no leaf cap, learning rate 0.1, 60 iterations, min_samples_leaf
20, l2_regularization 1, 255 bins, no early stopping) is trained on the first 3,000 rows; its
probabilities on the other 1,000, its test log-loss and ROC AUC are stored. Binning and tie rules
differ in detail, so the test compares quality (log-loss, AUC) and agreement (correlation of the
probabilities), not the trees.
Writes tests/fixtures/reference/gbdt.json.

Run from the repository root:  .venv/bin/python scripts/reference/gbdt_fixture.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss, roc_auc_score

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "reference" / "gbdt.json"
N_TRAIN, N_TEST, SEED = 3000, 1000, 20261202
PARAMS = dict(max_depth=4, max_leaf_nodes=None, learning_rate=0.1, max_iter=60, min_samples_leaf=20,
              l2_regularization=1.0, max_bins=255, early_stopping=False)


def main() -> None:
    rng = np.random.default_rng(SEED)
    n = N_TRAIN + N_TEST
    score = rng.normal(0, 2, n)
    rank = rng.integers(0, 30, n).astype(float)
    vote = np.clip(rng.beta(0.5, 2, n), 0, 1)
    prior = np.log1p(rng.zipf(1.6, n).clip(max=5000)).astype(float)
    in_title = (rng.random(n) < 0.2).astype(float)
    has_body = (rng.random(n) < 0.6).astype(float)
    z = 0.8 * score - 0.08 * rank + 2.5 * vote * has_body + 1.5 * in_title * (score > 0) + 0.3 * prior - 2.0
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    X = np.stack([score, rank, vote, prior, in_title, has_body], axis=1).astype(np.float32)
    Xtr, ytr, Xte, yte = X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]
    model = HistGradientBoostingClassifier(random_state=0, **PARAMS).fit(Xtr, ytr)
    proba = model.predict_proba(Xte)[:, 1]
    out = {
        "sklearn_version": sklearn.__version__,
        "params": PARAMS,
        "features": 6,
        "x_train": Xtr.ravel().tolist(),
        "y_train": ytr.tolist(),
        "x_test": Xte.ravel().tolist(),
        "y_test": yte.tolist(),
        "proba_test": proba.tolist(),
        "log_loss_test": float(log_loss(yte, proba)),
        "auc_test": float(roc_auc_score(yte, proba)),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out) + "\n")
    print(f"wrote {OUT}: log-loss {out['log_loss_test']:.4f}, AUC {out['auc_test']:.4f}")


if __name__ == "__main__":
    main()
