"""Benchmarks of hot topics and near-duplicates: clustering 100,000 texts, and lookups against 1,000,000 cases.

Both run in a fresh child process so that the peak memory measured (``ru_maxrss``) is this work's own and not
whatever the calling process did before. ``fankui bench analysis`` merges the two dicts; standalone:
``python -m fankui.bench._topics cluster|dedupe``.

Texts are the real ones in ``../shared/data`` (government messages with their titles, shop and food-delivery
reviews: about 70,000 distinct texts). Beyond that they are repeated with a deterministic perturbation (a few
characters replaced, a clause dropped or a short phrase added), which is what a large intake looks like: the same
problems, told again in other words.
"""

from __future__ import annotations

import csv
import json
import random
import resource
import subprocess
import sys
import time
from typing import Any

from fankui.core.datasets import shared_data_dir

GOV = (
    "gov_messages_hot.csv",
    "gov_messages_replies.csv",
    "gov_messages_unlabeled.csv",
    "gov_messages_labeled.train.csv",
)
REVIEWS = ("online_shopping_10_cats.train.csv", "waimai_10k.train.csv")
_FILLERS = ("请尽快处理", "谢谢", "希望有关部门重视", "已经反映多次", "麻烦看一下", "急", "盼复")


def real_texts() -> list[tuple[str, str]]:
    """(title, body) of every real text in the shared folder; an error naming the folder when it is absent."""
    folder = shared_data_dir()
    if folder is None:
        raise RuntimeError("the shared data folder (../shared/data) is needed for this benchmark")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in (*GOV, *REVIEWS):
        path = folder / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                title, body = row.get("title", ""), row.get("body") or row.get("review") or ""
                if body and body not in seen:
                    seen.add(body)
                    out.append((title, body))
    return out


def perturb(text: str, rng: random.Random) -> str:
    """The same report told again: a few characters changed, a clause dropped or a phrase added."""
    chars = list(text)
    for _ in range(max(1, len(chars) // 25)):
        if chars:
            chars[rng.randrange(len(chars))] = rng.choice("的了是在有我们这那也很都还就")
    out = "".join(chars)
    clauses = out.split("，")
    if len(clauses) > 2 and rng.random() < 0.5:
        del clauses[rng.randrange(len(clauses))]
        out = "，".join(clauses)
    if rng.random() < 0.5:
        out = f"{out}，{rng.choice(_FILLERS)}"
    return out


def corpus(n: int, seed: int = 20261116) -> tuple[list[str], list[str]]:
    """n (title, body) pairs: every real text once, then perturbed repeats."""
    real = real_texts()
    rng = random.Random(seed)
    titles: list[str] = []
    bodies: list[str] = []
    for i in range(n):
        title, body = real[i % len(real)]
        if i >= len(real):
            title, body = (perturb(title, rng) if title else ""), perturb(body, rng)
        titles.append(title)
        bodies.append(body)
    return titles, bodies


def _peak_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cluster_child(n: int, workers: int) -> dict[str, Any]:
    from fankui.nlp import cluster, places

    titles, bodies = corpus(n)
    places.tokenizer()  # the dictionary load (about a second) is start-up, not clustering
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    stages: dict[str, float] = {}
    clusters = cluster.cluster(bodies, titles, workers=workers, timings=stages)
    elapsed = time.perf_counter() - start
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    used = mine.ru_utime + mine.ru_stime - cpu.ru_utime - cpu.ru_stime + children.ru_utime + children.ru_stime
    return {
        "cluster_100k_s": round(elapsed, 1),
        # This process's peak plus each forked worker's (an upper bound: the workers share the parent's pages).
        "cluster_peak_mb": round(_peak_mb() + workers * children.ru_maxrss / 1024 * (workers > 1), 1),
        "cluster_cpu_s": round(used, 1),
        "cluster_workers": workers,
        "cluster_texts": n,
        "cluster_topics": len(clusters),
        "cluster_stages": stages,
    }


def _dedupe_child(n: int, lookups: int) -> dict[str, Any]:
    from fankui.nlp import dedupe

    titles, bodies = corpus(n)
    texts = [f"{t} {b}".strip() for t, b in zip(titles, bodies, strict=True)]
    del titles, bodies
    start = time.perf_counter()
    sigs, ok = dedupe.signatures(texts)
    index = dedupe.MinHashIndex()
    index.add_many(range(n), sigs, ok)
    del sigs
    build = time.perf_counter() - start
    rng = random.Random(7)
    # Half the lookups retell a stored case in other words (a duplicate to find); half are a stored text's characters
    # shuffled (the same vocabulary, nothing to find).
    queries = [
        perturb(texts[rng.randrange(n)], rng) if i % 2 else _shuffled(texts[rng.randrange(n)], rng)
        for i in range(lookups)
    ]
    latencies: list[float] = []
    cpu: list[float] = []
    found = 0
    for text in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        sig = dedupe.signature(text)
        matches = index.query(sig, threshold=0.5) if sig is not None else []
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        found += bool(matches)
    latencies.sort()
    cpu.sort()
    return {
        "dedupe_p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
        "dedupe_p50_ms": round(latencies[len(latencies) // 2], 2),
        # CPU time of the lookup alone: on a busy machine the wall-clock p99 includes waiting for a core.
        "dedupe_p99_cpu_ms": round(cpu[int(0.99 * (len(cpu) - 1))], 2),
        "dedupe_cases": len(index),
        "dedupe_build_s": round(build, 1),
        "dedupe_peak_mb": _peak_mb(),
        "dedupe_lookups_with_match": found,
    }


def _shuffled(text: str, rng: random.Random) -> str:
    chars = list(text)
    rng.shuffle(chars)
    return "".join(chars)


def _in_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "fankui.bench._topics", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def cluster_100k(n: int = 100_000, workers: int = 2) -> dict[str, Any]:
    """{"cluster_100k_s", "cluster_peak_mb", ...}: time of ``topics.cluster`` on n texts, peak memory of the process."""
    return _in_child("cluster", str(n), str(workers))


def dedupe_1m(n: int = 1_000_000, lookups: int = 1000) -> dict[str, Any]:
    """{"dedupe_p99_ms", ...}: one near-duplicate lookup (signature + LSH + estimate) against n stored cases."""
    return _in_child("dedupe", str(n), str(lookups))


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("cluster", "dedupe"):
        sys.exit("usage: python -m fankui.bench._topics cluster [N] [WORKERS] | dedupe [N] [LOOKUPS]")
    if argv[0] == "cluster":
        result = _cluster_child(int(argv[1]) if len(argv) > 1 else 100_000, int(argv[2]) if len(argv) > 2 else 2)
    else:
        result = _dedupe_child(int(argv[1]) if len(argv) > 1 else 1_000_000, int(argv[2]) if len(argv) > 2 else 1000)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
