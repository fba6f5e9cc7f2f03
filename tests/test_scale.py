"""Concurrency and scale: a shared engine across threads; chunked batches on executors (process
pool, Dask) give exactly the results of a plain run; bounded streaming."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from spbe_engine import Assessment, Engine

IDS = [str(i) for i in range(1, 48)]


def agencies(n: int, seed: int = 3) -> list[Assessment]:
    rnd = random.Random(seed)
    out = []
    for k in range(n):
        levels = {i: rnd.randint(1, 5) for i in IDS}
        stages = {"self_assessment": {i: min(5, v + rnd.randint(0, 1)) for i, v in list(levels.items())[:10]}}
        out.append(
            Assessment(catalogue="spbe-2020", subject=f"Instansi {k}", period="2024", levels=levels, stages=stages)
        )
    return out


def test_one_engine_shared_by_threads() -> None:
    engine = Engine(load_entry_points=False)  # fresh: threads race to resolve catalogues too
    items = agencies(200)
    expected = [r.to_dict(manifest=False) for r in Engine(load_entry_points=False).score_many(items)]
    results: dict[int, list[dict[str, object]]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        try:
            barrier.wait()
            results[k] = [engine.score(a).to_dict(manifest=False) for a in items]
            engine.check(items[k], as_of=None)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and all(results[k] == expected for k in range(8))


def test_executor_results_are_identical() -> None:
    engine = Engine(load_entry_points=False)
    items = agencies(60)
    plain = [r.to_dict(manifest=False) for r in engine.score_many(items)]
    with ThreadPoolExecutor(2) as pool:
        threaded = [r.to_dict(manifest=False) for r in engine.score_many(items, executor=pool, chunk_size=7)]
    with ProcessPoolExecutor(2) as pool:
        processed = [r.to_dict(manifest=False) for r in engine.score_many(items, executor=pool, chunk_size=9)]
        sims = engine.simulate_many(items[:6], n=500, seed=4, executor=pool, chunk_size=2)
    assert threaded == plain and processed == plain
    local = engine.simulate_many(items[:6], n=500, seed=4)
    assert [s.sorted_numerators for s in sims] == [s.sorted_numerators for s in local]
    assert len({s.sorted_numerators for s in local}) > 1  # each agency has its own stream


def test_iter_scores_streams_any_iterable() -> None:
    engine = Engine(load_entry_points=False)
    items = agencies(30)
    gen = (a for a in items)  # a one-shot iterator, consumed lazily in chunks
    stream = engine.iter_scores(gen, chunk_size=4)
    first = next(stream)
    assert first.subject == "Instansi 0"
    rest = list(stream)
    assert [r.subject for r in [first, *rest]] == [a.subject for a in items]


def test_migrate_many_on_a_process_pool() -> None:
    engine = Engine()
    if "pemdi-2026" not in engine.catalogue_ids():
        pytest.skip("the spbe-pemdi plugin is not installed")
    items = agencies(8)
    with ProcessPoolExecutor(2) as pool:
        far = engine.migrate_many(items, to="pemdi-2026", executor=pool, chunk_size=3)
    near = engine.migrate_many(items, to="pemdi-2026")
    assert [m.ranges for m in far] == [m.ranges for m in near]
    assert [m.index_range for m in far] == [m.index_range for m in near]


def test_dask_local_cluster() -> None:
    pytest.importorskip("dask", reason="dask is not installed (pip install 'spbe_engine[dask]'); CI installs it")
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import dask.dataframe as dd
    import pandas as pd

    from spbe_engine.frames import score_frame

    items = agencies(40)
    frame = pd.DataFrame(
        [{"subject": a.subject, "period": a.period, "catalogue": a.catalogue, **a.levels} for a in items]
    )
    engine = Engine()
    expected = engine.score_many(items)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        ddf = dd.from_pandas(frame, npartitions=4)
        out = ddf.map_partitions(score_frame, meta=score_frame(frame.head(0))).compute()
        via_executor = engine.score_many(items, executor=client.get_executor(), chunk_size=10)
    assert list(out["display"]) == [r.display for r in expected]
    assert list(out["index"]) == [str(r.index) for r in expected]
    assert [r.display for r in via_executor] == [r.display for r in expected]


def test_old_module_names_still_work_with_a_warning() -> None:
    import spbe_engine.frames
    import spbe_engine.notebook
    import spbe_engine.parallel
    import spbe_engine.scale
    import spbe_engine.tabular

    with pytest.warns(DeprecationWarning, match=r"spbe_engine.scale.score_frame .* use spbe_engine.frames.score_frame"):
        assert spbe_engine.scale.score_frame is spbe_engine.frames.score_frame
    with pytest.warns(DeprecationWarning, match="use spbe_engine.parallel.Executor"):
        assert spbe_engine.scale.Executor is spbe_engine.parallel.Executor
    with pytest.warns(DeprecationWarning, match="use spbe_engine.tabular.html_table"):
        assert spbe_engine.notebook.html_table is spbe_engine.tabular.html_table


def test_dask_read_csv_pipeline_matches_one_process(tmp_path) -> None:
    """The documented pipeline: dask.dataframe.read_csv → map_partitions(score_frame) on a local
    cluster, several partitions, identical to scoring the file in one process."""
    pytest.importorskip("dask", reason="dask is not installed (pip install 'spbe_engine[dask]'); CI installs it")
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import csv

    import dask.dataframe as dd

    from spbe_engine.frames import score_frame
    from spbe_engine.io.readers import load_assessments

    rnd = random.Random(7)
    path = tmp_path / "national.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["subject", "period", "catalogue", *IDS])
        for k in range(400):
            w.writerow(
                [f"Pemkab {k}", "2024", "spbe-2020", *("" if rnd.random() < 0.02 else rnd.randint(1, 5) for _ in IDS)]
            )
    engine = Engine()
    expected = engine.score_many(load_assessments(path, engine=engine), missing="minimum")
    dtypes = {"subject": str, "period": str, "catalogue": str, **dict.fromkeys(IDS, "float64")}
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        ddf = dd.read_csv(path, dtype=dtypes, blocksize=8_000)
        assert ddf.npartitions >= 4
        meta = score_frame(ddf._meta, catalogue="spbe-2020", groups="top")
        out = ddf.map_partitions(
            score_frame, catalogue="spbe-2020", missing="minimum", groups="top", meta=meta
        ).compute()
    assert list(out["subject"]) == [r.subject for r in expected]
    assert list(out["index"]) == [str(r.index) for r in expected]
    assert list(out["display"]) == [r.display for r in expected]
    assert list(out["predikat"]) == [r.predikat for r in expected]
    assert list(out["partial"]) == [r.partial for r in expected]
    assert list(out["D4_display"]) == [r.groups["D4"].display for r in expected]
    assert any(r.partial for r in expected)
