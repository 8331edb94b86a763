"""`fankui bench analysis`: the per-case pipeline, model prediction, topic clustering and duplicate lookup.

- ``pipeline_per_s``: cases per second through ``analysis.pipeline.analyse_pending`` on one core (the process is
  pinned to one CPU, BLAS threads 1), in a throwaway database holding ``-n`` real messages submitted through
  ``cases.services.receiving.receive``. Everything the worker does per case is included: claiming the pending rows,
  masking, kind, nature, sentiment, urgency, category and routing with *trained* models (trained first on the government
  messages, so the slower path is measured), keyword rules, the near-duplicate lookup and the hot-topic placement
  (the topics engineer's ``similar`` functions), the emergency events and the bulk save, committed.
- ``pipeline_models_only_per_s``: the same cases again without the duplicate lookup and the hot-topic placement.
- ``predict_per_s``: texts per second of the slowest model (of sentiment, kind, nature, urgency and a trained
  category model) on short real reviews, one batch of ``--texts``; ``predict_per_s_long`` the same on the long
  government messages, and ``predict_per_model`` each model's figure.
- ``cluster_100k_s``, ``cluster_peak_mb``, ``dedupe_p99_ms``: from ``fankui.bench._topics`` (the topics engineer's
  functions), merged in.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from fankui.bench.intake import bench_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=3000, help="cases through the pipeline")
    parser.add_argument("--texts", type=int, default=20_000, help="texts per model for prediction throughput")
    parser.add_argument("--skip-topics", action="store_true", help="leave out clustering and duplicate lookups")
    parser.add_argument("--profile", default="", help="write cProfile statistics of the full pipeline run here")
    parser.add_argument(
        "--steps", action="store_true", help="CPU milliseconds per case of each step of the full run (no profiler)"
    )


def _one_core() -> None:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    if hasattr(os, "sched_setaffinity"):
        # A container may forbid pinning; then the figure is per process (still one thread).
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _texts() -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str]]]:
    """(government messages (title, body), short reviews, labelled government messages (text, category))."""
    from fankui.core.datasets import shared_data_dir
    from fankui.nlp.csvio import read_table

    data = shared_data_dir()
    if data is None:
        raise SystemExit("fankui bench analysis needs ../shared/data (or FANKUI_SHARED_DATA).")
    messages = read_table(data / "gov_messages_unlabeled.csv", ["title", "body"]).rows
    reviews = read_table(data / "waimai_10k.train.csv", ["review"]).column("review")
    reviews += read_table(data / "online_shopping_10_cats.train.csv", ["review"]).column("review")
    labelled = read_table(data / "gov_messages_labeled.train.csv", ["title", "body", "category"]).rows
    return (
        [(row["title"], row["body"]) for row in messages],
        reviews,
        [(f"{row['title']} {row['body']}", row["category"]) for row in labelled],
    )


def _train_org_models(labelled: list[tuple[str, str]]) -> None:
    """Categories and departments in the bench database, and trained category and routing models for them."""
    from fankui.accounts.models import Department
    from fankui.analysis import store
    from fankui.cases.models import Category
    from fankui.nlp.classify import Settings, train

    names = sorted({label for _, label in labelled})
    departments = {
        name: Department.objects.create(name=f"{name}部门", code=f"bench-{i}") for i, name in enumerate(names)
    }
    categories = {name: Category.objects.create(name=name, department=departments[name]) for name in names}
    texts = [text for text, _ in labelled]
    for model_name, ids in (("category", categories), ("routing", departments)):
        model, report = train(texts, [str(ids[label].pk) for _, label in labelled], Settings(folds=2))
        store.save(model_name, model, report)


# The steps ``--steps`` times: (module, function), as the pipeline calls them (module attributes), nested ones too.
STEPS = (
    ("fankui.analysis.pipeline", "_claim"),
    ("fankui.analysis.pipeline", "analyse_batch"),
    ("fankui.analysis.pipeline", "mask_case_text"),
    ("fankui.nlp.rules", "kind"),
    ("fankui.nlp.rules", "nature"),
    ("fankui.nlp.rules", "urgency"),
    ("fankui.analysis.pipeline", "_trained_choice"),
    ("fankui.analysis.pipeline", "_save"),
    ("fankui.topics.duplicates", "find_duplicates"),
    ("fankui.nlp.dedupe", "signatures"),
    ("fankui.topics.placement", "place_in_topics"),
    ("fankui.nlp.places", "pattern_places"),
    ("fankui.nlp.places", "features_both"),
)


def _time_steps() -> tuple[dict[str, float], Callable[[], None]]:
    """Wrap each of ``STEPS`` so that its CPU time (``time.process_time``) adds up in the returned dict; the function
    returned puts the originals back. A wrapper costs about a microsecond a call: small beside the steps, unlike a
    profiler's cost on every function call."""
    import importlib

    spent: dict[str, float] = {}
    originals: list[tuple[Any, str, Any]] = []

    def timed(label: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - started

        return wrapper

    for module_name, name in STEPS:
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            originals.append((module, name, getattr(module, name)))
            setattr(module, name, timed(f"{module_name.rsplit('.', 1)[-1]}.{name}", getattr(module, name)))
    # The sentiment model is called through its predictor's method.
    sentiment = importlib.import_module("fankui.analysis.predictors").SentimentPredictor
    originals.append((sentiment, "analyse", sentiment.analyse))
    sentiment.analyse = timed("predictors.sentiment", sentiment.analyse)

    def restore() -> None:
        for owner, name, original in originals:
            setattr(owner, name, original)

    return spent, restore


def _child(n: int, count: int, profile: str = "", steps: bool = False) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    django.setup()
    _one_core()
    from django.core.management import call_command

    from fankui.analysis import pipeline, predictors
    from fankui.analysis.models import CaseAnalysis
    from fankui.cases.services.receiving import receive
    from fankui.intake.services import SubmissionInput
    from fankui.topics import duplicates, placement

    call_command("migrate", verbosity=0, interactive=False)
    messages, reviews, labelled = _texts()
    _train_org_models(labelled)
    for i in range(n):
        title, body = messages[i % len(messages)]
        receive(SubmissionInput(title=title[:200], body=body[:10_000] or title, contact_name="王建国" if i % 7 else ""))
    duplicates.reset_index()
    # Load models and the segmenters (the models' and the topics' own) before the clock starts, as a running
    # worker has.
    pipeline.Models.load()
    placement.load_staff_words()
    spent, restore = _time_steps() if steps else (None, None)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    handled = pipeline.analyse_pending()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    step_ms = None
    if spent is not None and restore is not None:
        restore()
        ranked = sorted(spent.items(), key=lambda item: -item[1])
        step_ms = {label: round(seconds * 1000 / max(handled, 1), 3) for label, seconds in ranked}
    done = CaseAnalysis.objects.filter(status=CaseAnalysis.Status.DONE).count()
    # The same cases again without the two steps that look at other cases (duplicate lookup, hot topic), to show
    # what the per-case models cost on their own.
    CaseAnalysis.objects.update(status=CaseAnalysis.Status.PENDING)
    models = pipeline.Models.load()
    started, cpu_started = time.perf_counter(), time.process_time()
    own = 0
    while handled_now := pipeline.run_batch(pipeline.BATCH, models, after=False):
        own += handled_now
    own_elapsed, own_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    short = [reviews[i % len(reviews)] for i in range(count)]
    long = [f"{t} {b}" for t, b in (messages[i % len(messages)] for i in range(count // 4))]
    per_model: dict[str, float] = {}
    per_model_long: dict[str, float] = {}
    for name in ("sentiment", "kind", "nature", "urgency", "category"):
        predictor = predictors.get(name)
        predictor.predict(short[:100])
        for texts, into in ((short, per_model), (long, per_model_long)):
            started = time.perf_counter()
            predictor.predict(texts)
            into[name] = round(len(texts) / (time.perf_counter() - started), 1)
    return {
        "pipeline_per_s": round(handled / elapsed, 1),
        "pipeline_cases": handled,
        # Per CPU second of this process: on a shared machine the wall-clock figure also counts time others took.
        "pipeline_per_cpu_s": round(handled / cpu, 1),
        "pipeline_models_only_per_cpu_s": round(own / own_cpu, 1),
        "pipeline_models_only_per_s": round(own / own_elapsed, 1),
        "pipeline_done": done,
        "predict_per_s": min(per_model.values()),
        "predict_per_s_long": min(per_model_long.values()),
        "predict_per_model": per_model,
        **({"pipeline_steps_cpu_ms": step_ms} if step_ms is not None else {}),
    }


def run(options: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"bench": "analysis"}
    with bench_database() as (engine, env):
        env = {**env, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "fankui.bench.analysis",
                str(options["n"]),
                str(options["texts"]),
                os.path.abspath(options["profile"]) if options.get("profile") else "",
                "steps" if options.get("steps") else "",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"analysis benchmark failed: {done.stderr.strip()[-800:]}")
        child = json.loads(done.stdout.strip().splitlines()[-1])
        result.update(engine=engine, cores=os.cpu_count(), n=options["n"])
        result.update(
            pipeline_per_s=child["pipeline_per_s"],
            predict_per_s=child["predict_per_s"],
            cluster_100k_s=None,
            cluster_peak_mb=None,
            dedupe_p99_ms=None,
        )
        result.update({k: v for k, v in child.items() if k not in result})
    if not options.get("skip_topics"):
        try:
            from fankui.bench import _topics

            cluster = _topics.cluster_100k()
            dedupe = _topics.dedupe_1m()
            result["cluster_100k_s"] = cluster.get("cluster_100k_s")
            result["cluster_peak_mb"] = cluster.get("cluster_peak_mb")
            result["dedupe_p99_ms"] = dedupe.get("dedupe_p99_ms")
        except (ImportError, AttributeError, RuntimeError) as exc:
            result["topics_error"] = str(exc)[:300]
    return result


if __name__ == "__main__":
    print(
        json.dumps(
            _child(
                int(sys.argv[1]),
                int(sys.argv[2]),
                sys.argv[3] if len(sys.argv) > 3 else "",
                len(sys.argv) > 4 and sys.argv[4] == "steps",
            )
        )
    )
