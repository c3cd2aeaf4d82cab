"""What `quarry run` loads while Prefect's server starts, and the flow's own warm-up never waiting on it."""

from __future__ import annotations

import subprocess
import sys
import threading

from expectations import gate
from flows import tasks
from flows.params import RunParameters
from flows.pipeline import prewarm
from transforms import clean, dedup


def test_warm_up_returns_while_the_warming_thread_holds_the_lock(monkeypatch):
    monkeypatch.setitem(gate._gx, "warming", threading.Thread(target=lambda: None))
    with gate._lock:  # the warming thread holds it for the whole GX import
        caller = threading.Thread(target=gate.warm_up)
        caller.start()
        caller.join(timeout=5)
        assert not caller.is_alive()


def test_prewarm_loads_the_gazetteer_language_model_word_frequencies_and_gx(monkeypatch):
    import wordfreq

    tasks._gazetteer.cache_clear()
    wordfreq.get_frequency_dict.cache_clear()
    wordfreq._wf_cache.clear()  # (word lookups cached before the table)
    # unloaded first: an earlier test of this process may have loaded the model already
    monkeypatch.setattr(clean, "_IDENTIFIER", None)
    monkeypatch.setattr(clean, "_DFA", None)
    kernels = []
    monkeypatch.setattr(dedup, "load_kernels", lambda: kernels.append("loaded"))
    prewarm(RunParameters()).join(timeout=300)
    assert kernels == ["loaded"]
    assert tasks._gazetteer.cache_info().currsize == 1
    assert type(clean._IDENTIFIER).__name__ == "LanguageIdentifier"
    # English and the six OTHER_LANGUAGES `english_lead` compares with
    assert wordfreq.get_frequency_dict.cache_info().currsize == 7
    assert "warming" in gate._gx or "context" in gate._gx


def _worker_that_exits(marker: str) -> None:
    import atexit
    import sys
    from pathlib import Path

    from flows.pipeline import _exit_without_finalizing

    _exit_without_finalizing()
    # An exit handler stands for the interpreter's finalisation, which a pool worker skips.
    atexit.register(Path(marker).write_text, "finalised")
    sys.exit(3)


def test_a_spawned_worker_exits_with_its_code_without_finalising_the_interpreter(tmp_path):
    import multiprocessing

    marker = tmp_path / "finalised.txt"
    worker = multiprocessing.get_context("spawn").Process(target=_worker_that_exits, args=(str(marker),))
    worker.start()
    worker.join(timeout=120)
    assert worker.exitcode == 3
    assert not marker.exists()


def test_prefects_process_pool_forks_its_workers_from_a_forkserver_that_imported_quarry():
    from multiprocessing import forkserver

    from prefect import task_runners

    from flows.pipeline import WORKER_PRELOAD

    # Prefect's ProcessPoolTaskRunner asks for the "spawn" context by name
    context = task_runners.multiprocessing.get_context("spawn")
    assert context.get_start_method() == "forkserver"
    assert forkserver._forkserver._preload_modules == [
        "flows.pipeline",
        "great_expectations",
        "great_expectations.data_context",
        "great_expectations.expectations",
    ]
    assert WORKER_PRELOAD == forkserver._forkserver._preload_modules
    assert task_runners.multiprocessing.get_context("fork").get_start_method() == "fork"


def test_importing_the_pipeline_leaves_prefects_server_package_unloaded():
    """~3 s of every process's start-up; imported only before a run that starts a temporary server."""
    from tests.conftest import REPO

    code = (
        "import sys, flows.pipeline; print(sorted(m for m in sys.modules if m.startswith('prefect.server')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"
