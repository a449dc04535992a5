#!/usr/bin/env python
"""The scikit-learn peers of tagsmith's tag model, trained and evaluated on tagsmith's own split.

Run by `scripts/bench/quality.ts` (`npm run bench:quality`), which exports the split into DIR:

  DIR/config.json      settings (token pattern, max_features, C grids, threshold grid, ...) and the
                       score files of OUR models to cross-check the metrics with
  DIR/items.jsonl      one line per question, in the order train, validation, test:
                       {"part", "text" (normalised), "tags" (all gold tags), "labels" (vocabulary indices)}
  DIR/vocab.json       the tag vocabulary (list of tags; label j = vocab[j])
  DIR/embeddings.f32   n x dim float32 little-endian sentence embeddings, same order as items.jsonl
                       (only when the embeddings peer is requested)

Usage (from the repository root):  .venv/bin/python scripts/bench/peers.py DIR

Peers (what a scikit-learn user would pick):
  lr_embeddings  OneVsRestClassifier(LogisticRegression(C, max_iter)) on the same sentence embeddings;
                 decision thresholds tuned on validation exactly as tagsmith does
                 (port of src/learn/thresholds.ts); C picked by validation micro-F1.
  lr_embeddings_converged
                 the same at the chosen C with tol=tight_tol (1e-6): scikit-learn's default tol=1e-4
                 stops lbfgs well before the optimum on rare tags; this row shows the converged model.
  svc_tfidf      TfidfVectorizer(token_pattern=tagsmith's TOKEN_PATTERN, lowercase, sublinear_tf,
                 max_features, min_df) + OneVsRestClassifier(LinearSVC(C)); predictions are
                 LinearSVC's own (`predict`, decision > 0), ranking by `decision_function`;
                 C picked by validation micro-F1.

Evaluation uses the definitions of src/learn/evaluation.ts and src/core/metrics.ts:
ranking P@k / R@k / F1@k over ALL gold tags (in or out of the vocabulary), k = 1..5, posts with
no gold tag excluded; micro / macro / samples precision-recall-F1 over the vocabulary's tags with
scikit-learn's precision_recall_fscore_support(zero_division=0); tag coverage.

Writes DIR/peers.json (metrics, chosen C, grid, timings, versions) and DIR/scores_<peer>.f64
(test scores, n_test x tags float64 little-endian) so that quality.ts can push the peers'
predictions through tagsmith's own evaluateScores and check both implementations agree.
"""
from __future__ import annotations

import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_info, threadpool_limits

PARTS = ("train", "validation", "test")

# A threshold that makes `score >= threshold` equal to `score > 0` for float64 scores: LinearSVC's
# own decision rule, written in tagsmith's `>=` convention.
STRICTLY_POSITIVE = float(np.nextafter(0.0, 1.0))


def fail(message: str) -> None:
    sys.stderr.write(f"peers.py: error: {message}\n")
    sys.exit(2)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def load(dirpath: Path) -> dict:
    for name in ("config.json", "items.jsonl", "vocab.json"):
        if not (dirpath / name).is_file():
            fail(f"{dirpath / name} is missing; this directory is written by scripts/bench/quality.ts")
    config = json.loads((dirpath / "config.json").read_text(encoding="utf-8"))
    vocab = json.loads((dirpath / "vocab.json").read_text(encoding="utf-8"))
    items = [json.loads(line) for line in (dirpath / "items.jsonl").read_text(encoding="utf-8").splitlines() if line]
    index = {t: j for j, t in enumerate(vocab)}
    for n, it in enumerate(items):
        if it.get("part") not in PARTS:
            fail(f"items.jsonl line {n + 1}: part {it.get('part')!r} is not one of {PARTS}")
        expected = sorted({index[t] for t in it["tags"] if t in index})
        if expected != it["labels"]:
            fail(f"items.jsonl line {n + 1}: labels {it['labels']} do not match tags {it['tags']} in vocab.json")
    order = [it["part"] for it in items]
    if order != sorted(order, key=PARTS.index):
        fail("items.jsonl must list train, then validation, then test items")
    data = {"config": config, "vocab": vocab, "items": items}
    emb = dirpath / "embeddings.f32"
    if emb.is_file():
        dim = int(config["embedding_dim"])
        flat = np.fromfile(emb, dtype="<f4")
        if flat.size != len(items) * dim:
            fail(f"{emb}: {flat.size} floats, expected {len(items)} items x {dim} dims")
        data["embeddings"] = flat.reshape(len(items), dim)
    return data


def part_slices(items: list[dict]) -> dict[str, slice]:
    out, start = {}, 0
    for p in PARTS:
        n = sum(1 for it in items if it["part"] == p)
        out[p] = slice(start, start + n)
        start += n
    return out


def indicator(items: list[dict], n_tags: int) -> np.ndarray:
    # int64, NOT int8: scikit-learn 1.9.1's label_binarize casts the class labels 0..n_tags-1 to the
    # indicator's dtype, so with int8 and more than 128 tags the labels overflow and OneVsRestClassifier
    # silently trains every estimator on another tag's column.
    y = np.zeros((len(items), n_tags), dtype=np.int64)
    for i, it in enumerate(items):
        y[i, it["labels"]] = 1
    return y


# --------------------------------------------------------------------------------------------
# Thresholds: a faithful port of tuneThresholds (src/learn/thresholds.ts)
# --------------------------------------------------------------------------------------------


def default_grid() -> list[float]:
    # TS: Number((0.05 * (i + 1)).toFixed(2)) -> the double nearest to the 2-decimal value
    return [float(f"{0.05 * (i + 1):.2f}") for i in range(19)]


def tune_thresholds(scores: np.ndarray, y: np.ndarray, grid: list[float], min_positives: int) -> dict:
    """One global threshold maximising micro-F1 (first best on the grid), then for every tag with at
    least `min_positives` validation positives the threshold maximising its F1 (starting from the
    global one, a grid point replaces it only if it is better by more than 1e-12)."""
    s = np.asarray(scores, dtype=np.float64)  # float64: comparing float32 with a Python float would round the grid to float32
    yb = y.astype(bool)
    n_tags = s.shape[1]
    tp = np.zeros((n_tags, len(grid)))
    pp = np.zeros((n_tags, len(grid)))
    for g, thr in enumerate(grid):
        pred = s >= thr
        pp[:, g] = pred.sum(axis=0)
        tp[:, g] = (pred & yb).sum(axis=0)
    pos = yb.sum(axis=0).astype(np.float64)

    def f1(tpv: float, ppv: float, posv: float) -> float:
        return (2 * tpv) / (ppv + posv) if ppv + posv > 0 else 0.0

    total_pos = float(pos.sum())
    best_g, best_f = 0, -1.0
    for g in range(len(grid)):
        f = f1(float(tp[:, g].sum()), float(pp[:, g].sum()), total_pos)
        if f > best_f:
            best_f, best_g = f, g
    glob = grid[best_g]
    thresholds, per_tag = [], 0
    for t in range(n_tags):
        if pos[t] < min_positives:
            thresholds.append(glob)
            continue
        bg = best_g
        bf = f1(tp[t, best_g], pp[t, best_g], pos[t])
        for g in range(len(grid)):
            f = f1(tp[t, g], pp[t, g], pos[t])
            if f > bf + 1e-12:
                bf, bg = f, g
        per_tag += 1
        thresholds.append(grid[bg])
    return {"thresholds": thresholds, "global": glob, "perTag": per_tag}


# --------------------------------------------------------------------------------------------
# Metrics: the definitions of src/learn/evaluation.ts / src/core/metrics.ts
# --------------------------------------------------------------------------------------------


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores per row, best first; ties: lower index first (as topK in TS)."""
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def evaluate(scores: np.ndarray, thresholds, gold: list[list[str]], vocab: list[str], max_k: int = 5) -> dict:
    s = np.asarray(scores, dtype=np.float64)
    thr = np.asarray(thresholds, dtype=np.float64)
    n, n_tags = s.shape
    # ranking metrics over all gold tags; posts without gold tags excluded
    ranked = top_k(s, max_k)
    sums = np.zeros((max_k, 3))
    evaluated = 0
    for i in range(n):
        g = set(gold[i])
        if not g:
            continue
        evaluated += 1
        hits = 0
        for k in range(1, max_k + 1):
            if k <= ranked.shape[1] and vocab[ranked[i, k - 1]] in g:
                hits += 1
            p = hits / k
            r = hits / min(k, len(g))
            sums[k - 1] += (p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0)
    avg = sums / evaluated if evaluated else sums * 0
    # thresholded metrics over the vocabulary's tags
    index = {t: j for j, t in enumerate(vocab)}
    y_true = np.zeros((n, n_tags), dtype=np.int8)
    for i, g in enumerate(gold):
        for t in g:
            if t in index:
                y_true[i, index[t]] = 1
    y_pred = (s >= thr[None, :]).astype(np.int8)

    def prf(average: str) -> tuple[float, float, float]:
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)
        return float(p), float(r), float(f)

    micro = prf("micro")
    gold_assign = sum(len(set(g)) for g in gold)
    in_vocab = sum(1 for g in gold for t in set(g) if t in index)
    return {
        "n": n,
        "p_at_k": avg[:, 0].tolist(),
        "r_at_k": avg[:, 1].tolist(),
        "f1_at_k": avg[:, 2].tolist(),
        "micro_precision": micro[0],
        "micro_recall": micro[1],
        "micro_f1": micro[2],
        "macro_f1": prf("macro")[2],
        "samples_f1": prf("samples")[2],
        "coverage": in_vocab / gold_assign if gold_assign else 0.0,
        "vocabulary_predicted_share": float((y_pred.sum(axis=0) > 0).sum() / n_tags) if n_tags else 0.0,
        "abstain_rate": float((y_pred.sum(axis=1) == 0).sum() / n) if n else 0.0,
    }


# --------------------------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------------------------


def fit_timed(make, X, Y) -> tuple[object, float, int]:
    """Fits make() on X, Y; returns (model, seconds, ConvergenceWarnings raised)."""
    clf = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        t0 = time.perf_counter()
        clf.fit(X, Y)
        seconds = time.perf_counter() - t0
    return clf, seconds, sum(1 for w in caught if issubclass(w.category, ConvergenceWarning))


def log(line: str) -> None:
    sys.stderr.write(f"peers: {line}\n")
    sys.stderr.flush()


def run_lr(data: dict, sl: dict, Y: np.ndarray, gold: dict, cfg: dict,
           C_grid: list[float], tol: float, max_iter: int) -> tuple[dict, np.ndarray]:
    X = data["embeddings"].astype(np.float64)
    grid_thr, min_pos = cfg["threshold_grid"], cfg["min_positives"]
    grid = []
    best = None
    for C in C_grid:
        make = lambda C=C: OneVsRestClassifier(LogisticRegression(C=C, max_iter=max_iter, tol=tol), n_jobs=cfg.get("n_jobs", 1))
        clf, seconds, warned = fit_timed(make, X[sl["train"]], Y[sl["train"]])
        val = clf.predict_proba(X[sl["validation"]])
        tuned = tune_thresholds(val, Y[sl["validation"]], grid_thr, min_pos)
        val_eval = evaluate(val, tuned["thresholds"], gold["validation"], data["vocab"])
        n_iter = int(max(int(np.max(e.n_iter_)) for e in clf.estimators_))
        row = {"C": C, "validation_micro_f1": val_eval["micro_f1"], "fit_seconds": seconds,
               "max_iterations": n_iter, "convergence_warnings": warned}
        grid.append(row)
        log(f"LogisticRegression C={C} tol={tol}: validation micro-F1 {val_eval['micro_f1']:.4f}, fit {seconds:.1f} s, "
            f"max {n_iter} iterations, {warned} convergence warnings")
        if best is None or val_eval["micro_f1"] > best[0]["validation_micro_f1"]:
            best = (row, clf, tuned, val_eval)
    row, clf, tuned, val_eval = best
    test = clf.predict_proba(X[sl["test"]])
    result = {
        "estimator": f"OneVsRestClassifier(LogisticRegression(C={row['C']}, max_iter={max_iter}, tol={tol}))",
        "features": f"sentence embeddings ({X.shape[1]} dims), the same vectors as ours",
        "chosen_C": row["C"],
        "selection": "validation micro-F1 at thresholds tuned on validation (tagsmith's procedure)"
                     if len(C_grid) > 1 else "the C chosen for lr_embeddings",
        "grid": grid,
        "fit_seconds": row["fit_seconds"],
        "grid_seconds": sum(r["fit_seconds"] for r in grid),
        "thresholds": tuned["thresholds"],
        "global_threshold": tuned["global"],
        "tags_with_own_threshold": tuned["perTag"],
        "validation": val_eval,
        "test": evaluate(test, tuned["thresholds"], gold["test"], data["vocab"]),
        "ranking_scores": "predict_proba",
    }
    return result, test


def run_svc(data: dict, sl: dict, Y: np.ndarray, gold: dict, cfg: dict) -> tuple[dict, np.ndarray]:
    texts = [it["text"] for it in data["items"]]
    vec = TfidfVectorizer(token_pattern=cfg["token_pattern"], lowercase=True, sublinear_tf=True,
                          max_features=cfg["max_features"], min_df=cfg["min_df"])
    t0 = time.perf_counter()
    X_train = vec.fit_transform(texts[sl["train"]])
    X_val = vec.transform(texts[sl["validation"]])
    X_test = vec.transform(texts[sl["test"]])
    tfidf_seconds = time.perf_counter() - t0
    log(f"TfidfVectorizer: {len(vec.vocabulary_)} features in {tfidf_seconds:.1f} s")
    thr = [STRICTLY_POSITIVE] * len(data["vocab"])
    grid, best = [], None
    for C in cfg["svc_C_grid"]:
        make = lambda C=C: OneVsRestClassifier(LinearSVC(C=C, random_state=cfg["seed"]), n_jobs=cfg.get("n_jobs", 1))
        clf, seconds, warned = fit_timed(make, X_train, Y[sl["train"]])
        val_dec = clf.decision_function(X_val)
        val_eval = evaluate(val_dec, thr, gold["validation"], data["vocab"])
        if not np.array_equal(val_dec >= STRICTLY_POSITIVE, clf.predict(X_val).astype(bool)):
            raise AssertionError("decision_function >= nextafter(0) disagrees with LinearSVC.predict")
        row = {"C": C, "validation_micro_f1": val_eval["micro_f1"], "fit_seconds": seconds, "convergence_warnings": warned}
        grid.append(row)
        log(f"LinearSVC C={C}: validation micro-F1 {val_eval['micro_f1']:.4f}, fit {seconds:.1f} s, {warned} convergence warnings")
        if best is None or val_eval["micro_f1"] > best[0]["validation_micro_f1"]:
            best = (row, clf, val_eval)
    row, clf, val_eval = best
    test = clf.decision_function(X_test)
    if not np.array_equal(test >= STRICTLY_POSITIVE, clf.predict(X_test).astype(bool)):
        raise AssertionError("decision_function >= nextafter(0) disagrees with LinearSVC.predict on test")
    result = {
        "estimator": f"TfidfVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True, sublinear_tf=True, "
                     f"max_features={cfg['max_features']}, min_df={cfg['min_df']}) + "
                     f"OneVsRestClassifier(LinearSVC(C={row['C']}))",
        "features": f"TF-IDF, {len(vec.vocabulary_)} terms fitted on the training part",
        "tfidf_features": len(vec.vocabulary_),
        "tfidf_seconds": tfidf_seconds,
        "chosen_C": row["C"],
        "selection": "validation micro-F1 of LinearSVC.predict (decision > 0)",
        "grid": grid,
        "fit_seconds": row["fit_seconds"],
        "grid_seconds": sum(r["fit_seconds"] for r in grid),
        "thresholds": thr,
        "validation": val_eval,
        "test": evaluate(test, thr, gold["test"], data["vocab"]),
        "ranking_scores": "decision_function",
    }
    return result, test


def crosscheck(dirpath: Path, data: dict, sl: dict, Y: np.ndarray, gold: dict, cfg: dict) -> list[dict]:
    """Our models' scores through this file's threshold tuning and metrics (quality.ts compares)."""
    out = []
    n_tags = len(data["vocab"])
    for entry in cfg.get("crosscheck", []):
        def read(name: str, part: str) -> np.ndarray:
            flat = np.fromfile(dirpath / name, dtype="<f4")
            rows = sl[part].stop - sl[part].start
            if flat.size != rows * n_tags:
                fail(f"{name}: {flat.size} scores, expected {rows} x {n_tags}")
            return flat.reshape(rows, n_tags)
        val = read(entry["validation"], "validation")
        test = read(entry["test"], "test")
        tuned = tune_thresholds(val, Y[sl["validation"]], cfg["threshold_grid"], cfg["min_positives"])
        out.append({
            "name": entry["name"],
            "thresholds": tuned["thresholds"],
            "global_threshold": tuned["global"],
            "tags_with_own_threshold": tuned["perTag"],
            "test": evaluate(test, tuned["thresholds"], gold["test"], data["vocab"]),
        })
    return out


def main() -> None:
    if len(sys.argv) != 2:
        fail("usage: .venv/bin/python scripts/bench/peers.py DIR  (DIR is written by scripts/bench/quality.ts)")
    dirpath = Path(sys.argv[1])
    data = load(dirpath)
    cfg = data["config"]
    items = data["items"]
    sl = part_slices(items)
    Y = indicator(items, len(data["vocab"]))
    gold = {p: [it["tags"] for it in items[sl[p]]] for p in PARTS}
    log(f"{len(items)} items (train {sl['train'].stop}, validation {sl['validation'].stop - sl['validation'].start}, "
        f"test {sl['test'].stop - sl['test'].start}), {len(data['vocab'])} tags")
    peers: dict[str, dict] = {}
    # One BLAS thread, like our single-threaded trainer. Measured on the 2-core machine: OpenBLAS
    # with 2 threads made one LogisticRegression fit (2,424 x 384) 35x slower (0.75 s vs 0.02 s)
    # while the other core was busy, because its threads spin-wait for each other.
    blas_threads = int(cfg.get("blas_threads", 1))
    with threadpool_limits(limits=blas_threads):
        run_peers(dirpath, data, sl, Y, gold, cfg, peers)
    report = {
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                     "scikit-learn": sklearn.__version__},
        "blas_threads": blas_threads,
        "threadpools": [{k: p.get(k) for k in ("user_api", "internal_api", "num_threads")} for p in threadpool_info()],
        "peers": peers,
        "crosscheck": crosscheck(dirpath, data, sl, Y, gold, cfg),
    }
    (dirpath / "peers.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    log(f"wrote {dirpath / 'peers.json'}")


def run_peers(dirpath: Path, data: dict, sl: dict, Y: np.ndarray, gold: dict, cfg: dict, peers: dict) -> None:
    for name in cfg["peers"]:
        if name in ("lr_embeddings", "lr_embeddings_converged") and "embeddings" not in data:
            fail(f"the {name} peer needs embeddings.f32")
        if name == "lr_embeddings":
            result, test = run_lr(data, sl, Y, gold, cfg, cfg["lr_C_grid"], cfg["tol"], cfg["max_iter"])
        elif name == "lr_embeddings_converged":
            # The same model trained to a tight tolerance: shows how much of a gap to lr_embeddings is
            # scikit-learn stopping early at its default tol=1e-4 rather than a different model.
            if "lr_embeddings" not in peers:
                fail("lr_embeddings_converged must come after lr_embeddings in config.peers (it reuses its C)")
            result, test = run_lr(data, sl, Y, gold, cfg, [peers["lr_embeddings"]["chosen_C"]],
                                  cfg["tight_tol"], cfg["tight_max_iter"])
        elif name == "svc_tfidf":
            result, test = run_svc(data, sl, Y, gold, cfg)
        else:
            fail(f"unknown peer {name!r} (known: lr_embeddings, lr_embeddings_converged, svc_tfidf)")
        scores_file = f"scores_{name}.f64"
        np.ascontiguousarray(test, dtype="<f8").tofile(dirpath / scores_file)
        result["test_scores_file"] = scores_file
        peers[name] = result


if __name__ == "__main__":
    main()
