#!/usr/bin/env python
"""scikit-learn reference values for tagsmith's TF-IDF, tokenizer and metrics.

Writes
  tests/fixtures/reference/tfidf.json    real Stack Overflow texts, their tokens, and TfidfVectorizer
                                         vocabulary / idf / sparse rows for several settings
  tests/fixtures/reference/metrics.json  seeded multilabel, ranking and ROC cases with sklearn's
                                         (or, for the ranking metrics, numpy's) results

Run from the repository root (deterministic; re-running rewrites identical files):
  .venv/bin/python scripts/reference/sklearn_fixtures.py [--data ../shared/data]

TOKEN_PATTERN below must equal TOKEN_PATTERN of src/core/tokenize.ts (tests/tokenize.test.ts checks it).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import html
import json
import platform
import random
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import f1_score, precision_recall_fscore_support, roc_auc_score

REPO = Path(__file__).resolve().parents[2]

# --- the tokenizer, built exactly as in src/core/tokenize.ts ---
W = "[a-z0-9_\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f\\u0300-\\u036f\\u0388-\\u03ff\\u0400-\\u04ff]"
SEGMENT = f"{W}+(?:(?:\\+\\+|#){W}*)?"
START = f"(?:\\.(?=[a-z])|(?={W}(?:{W}|#|\\+\\+|[.\\-]{W})))"
TOKEN_PATTERN = f"{START}{SEGMENT}(?:[.\\-]{SEGMENT})*|[cr]"
TOKEN_RE = re.compile(TOKEN_PATTERN)
assert TOKEN_RE.groups == 0, "sklearn would return a capture group instead of the token"


def tokenize(text: str) -> list[str]:
    return TOKEN_RE.findall(text.lower())


# --- corpus: real texts from the shared data ---
SPECIAL = re.compile(
    r"c#|c\+\+|\.net|node\.js|vue\.js|objective-c|python-3|ruby-on-rails|x86|e\.g\.|f#|\bR\b|\bC\b",
    re.IGNORECASE,
)


def read_corpus(data: Path) -> tuple[list[str], list[str], list[str]]:
    """(fit texts, held-out texts, source notes). Deterministic."""
    with open(data / "stackoverflow-sede-2009-2011-titles.csv", encoding="utf-8", errors="replace", newline="") as f:
        rows = list(csv.reader(f))
    titles = sorted({r[1] for r in rows[1:] if len(r) > 2 and r[1].strip()})
    rng = random.Random(20240601)
    plain = rng.sample(titles, 30)
    special = [t for t in titles if SPECIAL.search(t) and t not in plain]
    special = rng.sample(special, 12)
    held_csv = rng.sample([t for t in titles if t not in plain and t not in special], 4)

    api_titles: list[str] = []
    api_bodies: list[str] = []
    wanted = {"c#": 3, "c++": 3, ".net": 3, "node.js": 3}
    with gzip.open(data / "stackoverflow-api-2018.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            title = html.unescape(q["title"])
            low = title.lower()
            for key in wanted:
                if wanted[key] > 0 and key in low and title not in api_titles:
                    wanted[key] -= 1
                    api_titles.append(title)
                    break
            # a few body excerpts, so terms repeat within a document (exercises sublinear tf)
            if len(api_bodies) < 6 and q["question_id"] % 97 == 0:
                api_bodies.append(html.unescape(q["body_markdown"])[:600])
            if sum(wanted.values()) == 0 and len(api_bodies) >= 6:
                break

    with open(data / "stackoverflow-sede-2022-data-science.csv", encoding="utf-8", errors="replace", newline="") as f:
        ds = [r["Title"] for r in csv.DictReader(f) if r.get("Title")]
    ds = sorted(set(ds))
    ds_fit = rng.sample(ds, 6)

    fit = plain + special + api_titles + api_bodies + ds_fit
    held = held_csv + [
        "",
        "!!! ??? ... --- ###",
        "Completely unseen wordsxyz qwertyuiop",
        "Why does C# async/await deadlock in ASP.NET but not in .NET Core console apps? e.g. ConfigureAwait",
    ]
    notes = [
        "30 random + 12 tag-name-rich titles of stackoverflow-sede-2009-2011-titles.csv (random.Random(20240601))",
        f"{len(api_titles)} titles containing c#, c++, .net, node.js and {len(api_bodies)} body_markdown excerpts "
        "(first 600 chars, question_id % 97 == 0) of stackoverflow-api-2018.jsonl.gz, HTML entities decoded",
        "6 random titles of stackoverflow-sede-2022-data-science.csv",
        "held-out: 4 more 2009-2011 titles, an empty text, punctuation only, unseen words, a made-up title",
    ]
    return fit, held, notes


# tricky strings for tokenizer parity between Python re and JavaScript RegExp
PARITY = [
    "How to use C# and C++ with .NET / ASP.NET in Node.js, Vue.js; Objective-C python-3.x Ruby-on-Rails x86-64",
    "e.g. i.e., v2.0 3.6.4 C. R c+ c++11 notepad++ #include don't A x .5 .htaccess asp.net-mvc-3 works.but",
    "café naïve Ærøskøbing Привет ΟΔΟΣ ΣΊΣΥΦΟΣ 日本語 İstanbul ẞtraße 😀emoji – em—dash “quotes” ‘x’ a\u00a0b",
    "cafe\u0301 decomposed; fullwidth ＡＢＣ; ligature ﬁle; Kelvin \u212a; \ufffd replacement; tab\tnew\nline",
    "--verbose -v C/C++ tcp/ip foo..bar a--b x-- .-net __init__ _private $scope @Override std::vector<int>",
    "1,000.50 10% 2>&1 a+b=c a#b #c# c## c+++ c++-cli .net-4.0 F# J# Q# c#.net ..net ...",
]

SETTINGS = [
    # name, our TfidfConfig, sklearn kwargs
    ("default", {"minDf": 1, "maxDf": {"fraction": 1.0}, "maxFeatures": None, "sublinearTf": True, "smoothIdf": True, "norm": "l2"},
     dict(min_df=1, max_df=1.0, max_features=None, sublinear_tf=True, smooth_idf=True, norm="l2")),
    ("plain", {"minDf": {"fraction": 0.03}, "maxDf": 20, "maxFeatures": None, "sublinearTf": False, "smoothIdf": False, "norm": "l2"},
     dict(min_df=0.03, max_df=20, max_features=None, sublinear_tf=False, smooth_idf=False, norm="l2")),
]


def stable_selection(texts: list[str], kw: dict, limit: int) -> tuple[list[str], list[str], float]:
    """sklearn's pruning with a STABLE sort by corpus term frequency: (vocabulary, terms tied at the cut, tie tf)."""
    pruned = TfidfVectorizer(token_pattern=TOKEN_PATTERN, **{**kw, "max_features": None}).fit(texts)
    terms = pruned.get_feature_names_out()  # alphabetical, after min_df / max_df
    counts = CountVectorizer(token_pattern=TOKEN_PATTERN, vocabulary=terms).transform(texts)
    tfs = np.asarray(counts.sum(axis=0)).ravel()
    order = np.argsort(-tfs, kind="stable")[:limit]
    chosen = sorted(terms[order].tolist())
    cut = tfs[order[-1]]
    tied = sorted(terms[tfs == cut].tolist())
    return chosen, tied, float(cut)


def fit_setting(name: str, config: dict, kw: dict, fit: list[str], held: list[str], vocabulary=None) -> dict:
    vec = TfidfVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True, vocabulary=vocabulary, **kw)
    x_fit = vec.fit_transform(fit)
    x_held = vec.transform(held)

    def rows(x):
        x = x.tocsr()
        x.sort_indices()
        return [{"indices": x.indices[x.indptr[i]:x.indptr[i + 1]].tolist(),
                 "values": x.data[x.indptr[i]:x.indptr[i + 1]].tolist()} for i in range(x.shape[0])]

    return {
        "name": name,
        "config": config,
        "sklearnParams": dict(kw),
        "vocabulary": vec.get_feature_names_out().tolist(),
        "idf": vec.idf_.tolist(),
        "fit": rows(x_fit),
        "heldOut": rows(x_held),
    }


def tfidf_fixture(data: Path) -> dict:
    fit, held, notes = read_corpus(data)
    settings = [fit_setting(n, c, kw, fit, held) for n, c, kw in SETTINGS]

    # max_features whose cut-off does NOT split a tie group: sklearn's own output is then portable.
    kw = dict(min_df=2, max_df=0.5, sublinear_tf=True, smooth_idf=True, norm="l2")
    candidates = len(TfidfVectorizer(token_pattern=TOKEN_PATTERN, **kw).fit(fit).vocabulary_)
    for limit in range(40, 10, -1):
        chosen, tied, cut = stable_selection(fit, kw, limit)
        if not set(tied) - set(chosen):
            break
    assert candidates > limit, "max_features must actually prune"
    s = fit_setting("pruned", {"minDf": 2, "maxDf": {"fraction": 0.5}, "maxFeatures": limit, "sublinearTf": True,
                               "smoothIdf": True, "norm": "l2"}, {**kw, "max_features": limit}, fit, held)
    assert s["vocabulary"] == chosen, "no tie at the cut-off, so sklearn must agree with the stable rule"
    settings.append(s)

    # max_features cutting INSIDE a tie group: sklearn's pick depends on numpy's unstable argsort (CPU
    # dependent), so the reference is sklearn fitted with the vocabulary our documented rule selects
    # (stable sort = alphabetical among ties); sklearn's own pick is recorded for information. (A term's
    # idf depends only on its df and n, so fitting with a fixed vocabulary gives the pruned fit's idf.)
    kw = dict(min_df=1, max_df=1.0, sublinear_tf=True, smooth_idf=True, norm="l2")
    for limit in range(25, 60):
        chosen, tied, cut = stable_selection(fit, kw, limit)
        kept = set(tied) & set(chosen)
        if 0 < len(kept) < len(tied) and len(tied) >= 4:
            break
    own = TfidfVectorizer(token_pattern=TOKEN_PATTERN, max_features=limit, **kw).fit(fit)
    s = fit_setting("max_features_tie", {"minDf": 1, "maxDf": {"fraction": 1.0}, "maxFeatures": limit, "sublinearTf": True,
                                         "smoothIdf": True, "norm": "l2"}, kw, fit, held,
                    vocabulary=chosen)
    s["sklearnParams"] = {**kw, "max_features": limit}
    s["tie"] = {"termFrequency": cut, "tiedTerms": tied, "keptFromTie": len(kept),
                "sklearnOwnVocabulary": own.get_feature_names_out().tolist(),
                "sklearnOwnMatchesStable": own.get_feature_names_out().tolist() == chosen}
    settings.append(s)

    return {
        "generator": "scripts/reference/sklearn_fixtures.py",
        "versions": versions(),
        "tokenPattern": TOKEN_PATTERN,
        "corpusNotes": notes,
        "fitTexts": fit,
        "heldOutTexts": held,
        "fitTokens": [tokenize(t) for t in fit],
        "heldOutTokens": [tokenize(t) for t in held],
        "parity": [{"text": t, "tokens": tokenize(t)} for t in PARITY],
        "settings": settings,
    }


# --- metrics ---
def prf_block(y_true, y_pred) -> dict:
    out = {}
    for avg in ("micro", "macro", "samples"):
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average=avg, zero_division=0)
        f1 = f1_score(y_true, y_pred, average=avg, zero_division=0)
        assert abs(f1 - f) < 1e-15
        out[avg] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    out["perLabel"] = {"precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
                       "predicted": np.asarray(y_pred).sum(axis=0).tolist()}
    return out


def multilabel_cases(rng: np.random.Generator) -> list[dict]:
    cases = []

    def add(name, t, p):
        t = np.asarray(t, dtype=int)
        p = np.asarray(p, dtype=int)
        labels = [f"tag{j}" for j in range(t.shape[1])]
        cases.append({
            "name": name,
            "labels": labels,
            "yTrue": t.tolist(),
            "yPred": p.tolist(),
            "trueSets": [[labels[j] for j in np.flatnonzero(row)] for row in t],
            "predSets": [[labels[j] for j in np.flatnonzero(row)] for row in p],
            "sklearn": prf_block(t, p),
        })

    add("random dense", rng.random((30, 8)) < 0.4, rng.random((30, 8)) < 0.35)
    t = rng.random((40, 10)) < 0.25
    p = rng.random((40, 10)) < 0.2
    t[:, 7] = False           # predicted but never in gold
    p[:, 8] = False           # in gold but never predicted
    t[:, 9] = p[:, 9] = False  # neither
    p[:5] = False             # samples with empty predictions
    t[5:8] = False            # samples with empty gold ...
    p[6:8] = False            # ... two of them with empty predictions too
    add("absent and unpredicted labels, empty rows", t, p)
    t = rng.random((12, 5)) < 0.4
    t[0, 0] = True
    add("all predictions empty", t, np.zeros_like(t))
    add("perfect", t, t)
    add("single sample", [[1, 0, 1, 0]], [[1, 1, 0, 0]])
    return cases


def ranking_reference(predicted: list[list[str]], gold: list[list[str]], max_k: int) -> dict:
    """P@k = hits/k, R@k = hits/min(k,|gold|), F1@k per post, averaged over posts with non-empty gold."""
    keep = [i for i, g in enumerate(gold) if len(set(g)) > 0]
    at_k = []
    for k in range(1, max_k + 1):
        hits = np.array([len(set(predicted[i][:k]) & set(gold[i])) for i in keep], dtype=float)
        size = np.array([len(set(gold[i])) for i in keep], dtype=float)
        p = hits / k
        r = hits / np.minimum(k, size)
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
        mean = (lambda a: float(a.mean()) if len(a) else 0.0)
        at_k.append({"k": k, "precision": mean(p), "recall": mean(r), "f1": mean(f)})
    return {"atK": at_k, "evaluatedPosts": len(keep), "excludedEmptyGold": len(gold) - len(keep)}


def ranking_cases(rng: np.random.Generator) -> list[dict]:
    tags = [f"t{j}" for j in range(15)]
    predicted, gold = [], []
    for _ in range(40):
        gold.append(sorted(rng.choice(tags, size=int(rng.integers(0, 6)), replace=False).tolist()))
        # bias predictions towards gold so hits happen at every rank
        pool = list(dict.fromkeys(gold[-1] + rng.permutation(tags).tolist()))
        ranked = rng.permutation(pool[: int(rng.integers(0, 8)) + 2]).tolist()
        predicted.append(ranked[: int(rng.integers(0, 8))])
    cases = [{"name": "random", "maxK": 5, "predicted": predicted, "gold": gold}]
    cases.append({"name": "all gold empty", "maxK": 3, "predicted": [["a"], []], "gold": [[], []]})
    cases.append({"name": "short lists", "maxK": 5, "predicted": [["a", "b"], [], ["x", "a"]],
                  "gold": [["a", "b", "c", "d", "e", "f"], ["a"], ["a", "x"]]})
    for c in cases:
        c["expected"] = ranking_reference(c["predicted"], c["gold"], c["maxK"])
    return cases


def coverage_cases(rng: np.random.Generator) -> list[dict]:
    vocab = [f"t{j}" for j in range(12)]
    universe = vocab + [f"rare{j}" for j in range(6)]
    gold = [rng.choice(universe, size=int(rng.integers(0, 5)), replace=False).tolist() for _ in range(30)]
    pred = [rng.choice(vocab[:8], size=int(rng.integers(0, 3)), replace=False).tolist() for _ in range(30)]
    assignments = [t for g in gold for t in set(g)]
    in_vocab = [t for t in assignments if t in vocab]
    used = {t for p in pred for t in p}
    return [{
        "name": "random", "vocabulary": vocab, "gold": gold, "predicted": pred,
        "expected": {"goldAssignmentCoverage": len(in_vocab) / len(assignments),
                     "vocabularyPredictedShare": len(used & set(vocab)) / len(vocab),
                     "goldAssignments": len(assignments), "goldAssignmentsInVocabulary": len(in_vocab),
                     "vocabularyTagsPredicted": len(used & set(vocab)), "predictedOutsideVocabulary": 0},
    }]


def roc_cases(rng: np.random.Generator) -> list[dict]:
    cases = []

    def add(name, y, s):
        y = np.asarray(y, dtype=int)
        s = np.asarray(s, dtype=float)
        # sklearn 1.9 warns and returns NaN for a single class (older versions raised ValueError);
        # the fixture stores null and the message, and tagsmith's rocAuc throws instead.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                auc = float(roc_auc_score(y, s))
            except ValueError as e:
                auc, caught = float("nan"), [warnings.WarningMessage(str(e), UserWarning, "", 0)]
        undefined = str(caught[0].message) if np.isnan(auc) else None
        cases.append({"name": name, "labels": y.tolist(), "scores": s.tolist(),
                      "auc": None if np.isnan(auc) else auc, "undefined": undefined})

    y = rng.random(200) < 0.3
    add("random continuous", y, rng.normal(size=200) + y * 0.8)
    add("heavy ties", y, np.round(rng.random(200) * 4 + y, 0))
    add("all scores equal", y, np.full(200, 0.5))
    add("perfect", [0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    add("reversed", [1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])
    add("tie across classes", [0, 1, 0, 1, 1], [0.3, 0.3, 0.1, 0.9, 0.3])
    add("only positives", [1, 1, 1], [0.2, 0.5, 0.9])
    add("only negatives", [0, 0], [0.2, 0.5])
    return cases


def versions() -> dict:
    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__}


def metrics_fixture() -> dict:
    rng = np.random.default_rng(20240601)
    return {
        "generator": "scripts/reference/sklearn_fixtures.py",
        "versions": versions(),
        "zeroDivision": 0,
        "multilabel": multilabel_cases(rng),
        "ranking": ranking_cases(rng),
        "coverage": coverage_cases(rng),
        "roc": roc_cases(rng),
    }


def write(path: Path, obj: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size / 1024:.1f} kB)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="shared Stack Overflow data directory")
    args = ap.parse_args()
    if not (args.data / "stackoverflow-sede-2009-2011-titles.csv").exists():
        print(f"error: {args.data} does not hold stackoverflow-sede-2009-2011-titles.csv; pass --data DIR", file=sys.stderr)
        return 2
    out = REPO / "tests" / "fixtures" / "reference"
    write(out / "tfidf.json", tfidf_fixture(args.data))
    write(out / "metrics.json", metrics_fixture())
    return 0


if __name__ == "__main__":
    sys.exit(main())
