"""wordvec: fast skip-gram word vectors from your own text.

>>> import wordvec
>>> emb = wordvec.train("corpus.txt", wordvec.TrainConfig(epochs=5))  # doctest: +SKIP
>>> emb.save("my-model")  # doctest: +SKIP
"""

__version__ = "0.1.0"

from .config import TrainConfig  # noqa: E402
from .embeddings import Embeddings  # noqa: E402

__all__ = ["Embeddings", "TrainConfig", "__version__", "load", "train"]


def load(path):
    """Open a saved model directory (see ``Embeddings.load``)."""
    return Embeddings.load(path)


def train(inputs, config=None, verbose=False, binary_ok=False):
    """Train vectors on text files (see ``wordvec.trainer.train``); imports Numba on first use."""
    from .trainer import train as _train

    return _train(inputs, config, verbose=verbose, binary_ok=binary_ok)
