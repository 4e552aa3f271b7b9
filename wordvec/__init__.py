"""wordvec: fast skip-gram and CBOW word vectors from your own text.

>>> import wordvec
>>> emb = wordvec.train("corpus.txt", wordvec.TrainConfig(epochs=5))  # doctest: +SKIP
>>> emb.save("my-model")  # doctest: +SKIP
"""

__version__ = "0.1.0"

import os  # noqa: E402

from .config import TrainConfig  # noqa: E402
from .embeddings import Embeddings  # noqa: E402
from .sequences import group_sequences, row_sequences  # noqa: E402

__all__ = ["Embeddings", "TrainConfig", "__version__", "group_sequences", "load",
           "row_sequences", "train"]


def load(path):
    """Open a saved model directory (see ``Embeddings.load``)."""
    return Embeddings.load(path)


def train(inputs, config=None, *, verbose=False, binary_ok=False, resume=None, init=None,
          freeze_init=False):
    """Train vectors on text files, folders or ``-``, as ``wordvec train`` does, or on
    Python data: an iterable of token sequences (lists or arrays of str or int
    tokens), or a function returning one (``sequences.py``).

    ``inputs``, ``config``, ``verbose`` and ``binary_ok`` are as in
    ``trainer.train``. ``resume``: a model (``Embeddings`` or path) to continue, as
    ``--resume``; ``init``: pre-trained vectors (a file, a fastText ``.bin`` whose
    n-gram rows a subword model also starts from, or ``(words, float32 matrix)``)
    that words found there start from, as ``--init``; ``freeze_init``:
    keep those fixed. Raises ``trainer.TrainingInterrupted`` on Ctrl-C; its
    ``partial`` attribute holds the vectors trained so far. Imports Numba on first use.
    """
    from .formats import read_pretrained
    from .trainer import Start
    from .trainer import train as _train

    if freeze_init and init is None:
        raise ValueError("freeze_init needs init vectors")
    start = Start(resume=Embeddings.load(resume) if isinstance(resume, (str, os.PathLike))
                  else resume, freeze=freeze_init)
    if isinstance(init, (str, os.PathLike)):
        start.init_words, start.init_vectors, start.init_subwords = read_pretrained(init)
    elif init is not None:
        start.init_words, start.init_vectors = init
    return _train(inputs, config, verbose=verbose, binary_ok=binary_ok, start=start)
