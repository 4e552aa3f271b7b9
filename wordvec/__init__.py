"""wordvec: fast skip-gram word vectors from your own text.

>>> import wordvec
>>> emb = wordvec.train("corpus.txt", wordvec.TrainConfig(epochs=5))  # doctest: +SKIP
>>> emb.save("my-model")  # doctest: +SKIP
"""

__version__ = "0.1.0"

import os  # noqa: E402

from .config import TrainConfig  # noqa: E402
from .embeddings import Embeddings  # noqa: E402

__all__ = ["Embeddings", "TrainConfig", "__version__", "load", "train"]


def load(path):
    """Open a saved model directory (see ``Embeddings.load``)."""
    return Embeddings.load(path)


def train(inputs, config=None, *, verbose=False, binary_ok=False, resume=None, init=None,
          freeze_init=False):
    """Train vectors on text files, folders or ``-``, as ``wordvec train`` does.

    Parameters
    ----------
    inputs : path or list of paths
    config : TrainConfig, default TrainConfig()
    verbose : bool
        Show progress bars.
    binary_ok : bool
        Read inputs that look like binary files.
    resume : Embeddings or path, optional
        Continue this model (``--resume``): its words keep their vectors.
    init : path or (words, float32 matrix), optional
        Start the words found there from these pre-trained vectors (``--init``).
    freeze_init : bool
        Keep the ``init`` vectors fixed (``--freeze-init``).

    Raises ``trainer.TrainingInterrupted`` on Ctrl-C; its ``partial`` attribute holds
    the vectors trained so far. Imports Numba on first use.
    """
    from .formats import read_vectors
    from .trainer import Start
    from .trainer import train as _train

    if freeze_init and init is None:
        raise ValueError("freeze_init needs init vectors")
    start = Start(resume=Embeddings.load(resume) if isinstance(resume, (str, os.PathLike))
                  else resume, freeze=freeze_init)
    if init is not None:
        start.init_words, start.init_vectors = read_vectors(init) \
            if isinstance(init, (str, os.PathLike)) else init
    return _train(inputs, config, verbose=verbose, binary_ok=binary_ok, start=start)
