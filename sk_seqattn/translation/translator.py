"""Seq2SeqAttentionTranslator: strings in, strings out, with Luong attention."""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..training.base import FITTED_NET_DOC, NETWORK_PARAMS_DOC, TRAINING_PARAMS_DOC, \
    _BaseSeq2SeqAttention
from .decoding import AttentionMap, decode_batches
from ..nn import Seq2SeqTranslationNetwork
from ..training.net import BucketLoader, SequenceCrossEntropy, TranslationNet, collate_token_batch
from ._copy import output_tokens, source_copy_ids, target_ids_with_copies
from ._token_ids import _check_id_sequences, _is_id_input, _pad_with_end, _until_end
from ._tokenizer_base import _object_array, check_texts
from .tokenizers import EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID, CharTokenizer

__all__ = ["Seq2SeqAttentionTranslator", "AttentionMap"]

_TOKENIZER_PARAMS = ("source_tokenizer", "target_tokenizer")


class Seq2SeqAttentionTranslator(_BaseSeq2SeqAttention):
    __doc__ = """Translate strings to strings with an attentional encoder-decoder.

    Luong et al. (2015): an RNN encoder over the source tokens, an RNN
    decoder with global or local attention (and, by default, input
    feeding), trained with teacher forcing and cross-entropy; greedy or
    beam-search decoding.

    Parameters
    ----------
{network}
    embedding_dim : int, default=64
        Width of the source and target token embeddings.

    init_scale : float or None, default=None
        None keeps PyTorch's initialisation of each layer. A number
        initialises every weight uniformly in [-init_scale, init_scale]:
        ``init_scale=0.1`` is Luong et al.'s recipe and OpenNMT-py's
        default, which learnt more slowly on every translation task of the
        documentation's benchmarks page.

    source_tokenizer : tokenizer or None, default=None
        Cloned and fitted on ``X`` in ``fit`` when ``X`` holds strings;
        None means ``CharTokenizer()``.
        When ``X`` holds id sequences (a tokenizer step earlier in a
        Pipeline), it is not used.

    target_tokenizer : tokenizer or None, default=None
        Cloned and fitted on ``y`` in ``fit`` (like
        ``TransformedTargetRegressor``'s transformer); None means
        ``CharTokenizer()``. Its parameters can be grid-searched as
        ``target_tokenizer__<param>``, with the default too.

    beam_size : int, default=1
        1: greedy decoding; more: batched beam search.

    length_penalty : float, default=0.0
        GNMT length normalisation exponent for choosing among beams.

    max_output_length : int or None, default=None
        Most decoded tokens (end marker included). None: twice the longest
        training target. Decoding always stops there.

    replace_unk : bool, default=False
        Replace each predicted ``<unk>`` with the source token that the
        step attended to most (Luong et al.'s unknown-word replacement),
        as written in the source: a word that neither vocabulary holds is
        copied, not its ``<unk>``. Needs string input and attention other
        than "none": ``fit`` warns that it has no effect otherwise. An
        ``<unk>`` predicted for an empty source stays ``<unk>``.

    copy_attention : bool, default=False
        Pointer-generator copy attention (See et al., 2017; OpenNMT-py's
        ``-copy_attn``): each output token is a mixture of generating from
        the target vocabulary and copying a source token, with the
        attention as the copy distribution, over a per-sentence extended
        vocabulary that holds the source's words outside the target
        vocabulary. Training teaches the copy, so a word never seen in
        ``fit`` is copied where the model learned to copy. Source and
        target tokens are matched as the two tokenizers write them
        (tokenizers that lowercase alike); a copied word comes out as the
        source wrote it. With ``BPETokenizer`` subwords are copied, which
        works best with the same tokenizer for both sides. Needs string
        input and attention other than "none" (``fit`` raises a
        ``ValueError`` otherwise).

    loss_normalization : {{"sentences", "tokens"}}, default="sentences"
        How the batch's cross-entropy is scaled. "sentences": summed over
        the target tokens and divided by the number of sequences, as Luong
        et al. and OpenNMT-py do; ``max_grad_norm`` then clips as it does
        there. "tokens": the mean per target token (the documentation's
        benchmarks page compares the two).

{training}
    Attributes
    ----------
{fitted}
    source_tokenizer_ : tokenizer or None
        The fitted clone of ``source_tokenizer``; None for id input.

    target_tokenizer_ : tokenizer
        The fitted clone of ``target_tokenizer``.

    source_vocab_size_, target_vocab_size_ : int

    max_source_length_ : int
        Longest training source in tokens, end marker included: the
        range of "location" attention.

    max_target_length_ : int
        Longest training target in tokens, end marker included.

    Notes
    -----
    The defaults are the settings that measured best on the project's
    translation benchmarks (the documentation's benchmarks page). Luong et
    al.'s WMT'14 recipe differs: ``attention="general",
    alignment="local-p", num_layers=4, hidden_size=1000,
    embedding_dim=1000, dropout=0.2, batch_size=128, optimizer="sgd",
    lr=1.0, init_scale=0.1, replace_unk=True`` (their learning rate halved
    every epoch after the fifth: a skorch ``LRScheduler`` callback).

    Every source gets an end marker appended, so an empty source string is
    valid. An empty target string is allowed too: the model learns to emit
    the end marker at once. Tokens unseen in ``fit`` map to ``<unk>``.

    Examples
    --------
    >>> from sk_seqattn import Seq2SeqAttentionTranslator
    >>> X = ["abc", "cab", "bca", "acb"] * 20
    >>> y = [s[::-1] for s in X]
    >>> model = Seq2SeqAttentionTranslator(max_epochs=2, random_state=0).fit(X, y)
    >>> model.predict(["abc"]).shape
    (1,)
    """.format(
        network=NETWORK_PARAMS_DOC.format(hidden_size=128, input_feeding=True),
        training=TRAINING_PARAMS_DOC.format(max_epochs=10, batch_size=64, lr=0.001),
        fitted=FITTED_NET_DOC,
    )

    _parameter_constraints = {
        **_BaseSeq2SeqAttention._parameter_constraints,
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "init_scale": [Interval(Real, 0, None, closed="neither"), None],
        "source_tokenizer": [HasMethods(["fit", "transform", "tokenize", "detokenize"]), None],
        "target_tokenizer": [HasMethods(["fit", "transform", "tokenize", "detokenize"]), None],
        "beam_size": [Interval(Integral, 1, None, closed="left")],
        "length_penalty": [Interval(Real, 0, None, closed="left")],
        "max_output_length": [Interval(Integral, 1, None, closed="left"), None],
        "replace_unk": ["boolean"],
        "copy_attention": ["boolean"],
        "loss_normalization": [StrOptions({"sentences", "tokens"})],
    }

    def __init__(
        self,
        *,
        attention="dot",
        alignment="global",
        local_width=10,
        embedding_dim=64,
        init_scale=None,
        hidden_size=128,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
        input_feeding=True,
        teacher_forcing=1.0,
        source_tokenizer=None,
        target_tokenizer=None,
        beam_size=1,
        length_penalty=0.0,
        max_output_length=None,
        replace_unk=False,
        copy_attention=False,
        loss_normalization="sentences",
        max_epochs=10,
        batch_size=64,
        lr=0.001,
        lr_schedule="constant",
        optimizer="adam",
        max_grad_norm=5.0,
        callbacks=None,
        validation_fraction=None,
        device="cpu",
        precision="fp32",
        n_threads=None,
        random_state=None,
        verbose=0,
        net_params=None,
    ):
        self.attention = attention
        self.alignment = alignment
        self.local_width = local_width
        self.embedding_dim = embedding_dim
        self.init_scale = init_scale
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.cell = cell
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.input_feeding = input_feeding
        self.teacher_forcing = teacher_forcing
        self.source_tokenizer = source_tokenizer
        self.target_tokenizer = target_tokenizer
        self.beam_size = beam_size
        self.length_penalty = length_penalty
        self.max_output_length = max_output_length
        self.replace_unk = replace_unk
        self.copy_attention = copy_attention
        self.loss_normalization = loss_normalization
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.max_grad_norm = max_grad_norm
        self.callbacks = callbacks
        self.validation_fraction = validation_fraction
        self.device = device
        self.precision = precision
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.net_params = net_params

    def set_params(self, **params):
        """Set parameters, as :meth:`sklearn.base.BaseEstimator.set_params`.

        A tokenizer left at None (meaning ``CharTokenizer()``) becomes a
        ``CharTokenizer`` when one of its settings is set, so
        ``set_params(target_tokenizer__max_vocab_size=50)`` and grid keys
        like it work with the defaults.
        """
        for name in _TOKENIZER_PARAMS:
            nested = any(key.startswith(f"{name}__") for key in params)
            if nested and params.get(name, getattr(self, name)) is None:
                params[name] = CharTokenizer()
        return super().set_params(**params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags

    # -- fit / predict -------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn to map the sources ``X`` to the targets ``y``.

        Parameters
        ----------
        X : list, array or Series of str, or of int id sequences
            Strings are tokenized by ``source_tokenizer``; id sequences
            (e.g. a tokenizer's ``transform`` output) are used as they are.
        y : list, array or Series of str

        Returns
        -------
        self : Seq2SeqAttentionTranslator
        """
        self._forget_fit()  # an interrupted or failed fit leaves it unfitted
        self._check_network_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        targets = check_texts(y, "y")
        id_input = _is_id_input(X)
        sources = _check_id_sequences(X) if id_input else check_texts(X, "X")
        if len(sources) != len(targets):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {len(sources)} and "
                f"{len(targets)}."
            )
        if not sources:
            raise ValueError("X and y are empty; at least one pair is needed to fit.")
        # Both copy mechanisms read the attention and the source text.
        reason = ("attention='none'" if self.attention == "none"
                  else "id-sequence input" if id_input else None)
        if self.copy_attention and reason:
            raise ValueError(
                f"copy_attention=True cannot be used with {reason}: it copies source words "
                "through the attention, which needs attention and the source text. Use "
                "attention='dot', 'general', 'concat' or 'location' and string input, or "
                "copy_attention=False."
            )
        if self.replace_unk and reason:
            warnings.warn(
                f"replace_unk=True has no effect with {reason}: it copies the source word "
                "the attention points at, which needs attention and the source text.",
                UserWarning, stacklevel=2,
            )
        if id_input:
            self.source_tokenizer_ = None
            self.source_vocab_size_ = max(
                len(SPECIAL_TOKENS), 1 + max(int(ids.max(initial=0)) for ids in sources)
            )
        else:
            self.source_tokenizer_ = _fitted_clone(self.source_tokenizer, sources)
            self.source_vocab_size_ = len(self.source_tokenizer_.vocabulary_)
            texts, sources = sources, [self.source_tokenizer_.encode(text) for text in sources]
        self.target_tokenizer_ = _fitted_clone(self.target_tokenizer, targets)
        self.target_vocab_size_ = len(self.target_tokenizer_.vocabulary_)
        source_ids, source_lengths = _pad_with_end(sources)
        X_net = {"source": source_ids, "source_lengths": source_lengths}
        if self.copy_attention:
            copy_ids, _, lookup = source_copy_ids(
                self.source_tokenizer_, self.target_tokenizer_.vocabulary_, texts)
            X_net["copy_ids"] = _pad_with_end(copy_ids)[0]  # the end marker copies as </s>
            target_ids = target_ids_with_copies(self.target_tokenizer_, targets, lookup)
        else:
            target_ids = [self.target_tokenizer_.encode(text) for text in targets]
        target_ids, target_lengths = _pad_with_end(target_ids)
        self.max_source_length_ = int(source_lengths.max())
        self.max_target_length_ = int(target_lengths.max())

        module_params = {
            "source_vocab_size": self.source_vocab_size_,
            "target_vocab_size": self.target_vocab_size_,
            "max_source_length": self.max_source_length_,
            "embedding_dim": self.embedding_dim,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "cell": self.cell,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "attention": self.attention,
            "alignment": self.alignment,
            "local_width": self.local_width,
            "input_feeding": self.input_feeding,
            "teacher_forcing": self.teacher_forcing,
            "init_scale": self.init_scale,
            "copy_attention": self.copy_attention,
        }
        net = self._build_net(
            Seq2SeqTranslationNetwork, module_params, SequenceCrossEntropy,
            criterion_params={"normalization": self.loss_normalization,
                              "ignore_index": PAD_ID},
            net_class=TranslationNet,
            collate_fn=collate_token_batch, iterator_train=BucketLoader,
        )
        self.net_ = self._fit_net(net, X_net, target_ids)
        return self

    def predict(self, X):
        """Translate.

        Parameters
        ----------
        X : list, array or Series of str, or of int id sequences

        Returns
        -------
        y_pred : ndarray of object, shape (n_samples,)
            The translations as strings. An empty ``X`` is a
            ``ValueError``, as for the regressor.
        """
        check_is_fitted(self)
        # Attention is kept only to replace unknown tokens.
        replacing = (self.replace_unk and self.attention != "none"
                     and self.source_tokenizer_ is not None)
        decoded = self._decode(X, attention=replacing)
        return _object_array([
            self.target_tokenizer_.detokenize(self._output_tokens(ids, step_weights, src, extra))
            for ids, step_weights, src, extra in zip(
                decoded.tokens, decoded.weights, decoded.source_tokens, decoded.extra)
        ])

    def attention_weights(self, X):
        """Attention of every predicted token over its source.

        Parameters
        ----------
        X : list, array or Series of str, or of int id sequences

        Returns
        -------
        maps : list of AttentionMap
            Per sample: ``weights`` of shape (target_len, source_len), with
            the ``source_tokens`` and predicted ``target_tokens`` that label
            its axes (end markers included), and with ``copy_attention``
            the ``copy_probability`` of each output token.
        """
        check_is_fitted(self)
        if self.attention == "none":
            raise ValueError("attention='none' has no attention weights.")
        decoded = self._decode(X)
        maps = []
        for ids, step_weights, src, extra, p_copy in zip(
                decoded.tokens, decoded.weights, decoded.source_tokens, decoded.extra,
                decoded.copy_probability):
            target = output_tokens(self.target_tokenizer_, _until_end(ids), extra)
            maps.append(AttentionMap(
                step_weights[: len(target), : len(src)], src, target,
                None if p_copy is None else p_copy[: len(target)],
            ))
        return maps

    def score(self, X, y, sample_weight=None):
        """Exact-match accuracy of ``predict(X)`` against ``y``.

        Parameters
        ----------
        X : list, array or Series of str, or of int id sequences
        y : list, array or Series of str
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        y = np.asarray(check_texts(y, "y"), dtype=object)
        return float(np.average(self.predict(X) == y, weights=sample_weight))

    # -- helpers -------------------------------------------------------------------
    def _source_ids(self, X):
        # Source id arrays for prediction, and the source texts (None for
        # id input); unseen ids become <unk>. Empty X is an error, as for
        # the regressor (scikit-learn's convention).
        if hasattr(X, "__len__") and not isinstance(X, str) and len(X) == 0:
            raise ValueError(
                "X is empty: expected at least one source (a string or a token id "
                "sequence)."
            )
        if self.source_tokenizer_ is None:
            if not _is_id_input(X):
                raise TypeError(
                    "This translator was fitted on id sequences; X must hold id "
                    "sequences too, not strings."
                )
            return [np.where(ids < self.source_vocab_size_, ids, UNK_ID)
                    for ids in _check_id_sequences(X)], None
        if _is_id_input(X):
            raise TypeError(
                "This translator was fitted on strings; X must hold strings too."
            )
        texts = check_texts(X, "X")
        return [self.source_tokenizer_.encode(text) for text in texts], texts

    def _decode(self, X, attention=True):
        """Decode ``X`` in length-sorted batches (see :class:`_Decoded`)."""
        check_is_fitted(self)
        sources, texts = self._source_ids(X)
        source_ids, source_lengths = _pad_with_end(sources)
        if self.attention == "location" and source_lengths.size and \
                source_lengths.max() > self.max_source_length_:
            longest = int(source_lengths.argmax())
            raise ValueError(
                f"X[{longest}] has {source_lengths[longest] - 1} tokens, but attention="
                f"'location' was fitted for sources of at most "
                f"{self.max_source_length_ - 1} tokens."
            )
        module = self.net_.module_
        module.eval()
        # What the fitted network does (set_params after fit changes nothing).
        copy_ids, extra = None, [None] * len(sources)
        if getattr(module, "copy_switch", None) is not None:
            copy_ids, extra, _ = source_copy_ids(
                self.source_tokenizer_, self.target_tokenizer_.vocabulary_, texts)
            copy_ids = _pad_with_end(copy_ids)[0]  # (n, src_len), the end marker as </s>
        with self._torch_state():
            tokens, weights, p_copies = decode_batches(
                module, source_ids, source_lengths, copy_ids=copy_ids,
                batch_size=self.batch_size,
                max_length=self.max_output_length or 2 * self.max_target_length_,
                beam_size=self.beam_size, length_penalty=self.length_penalty,
                attention=attention, device=self.net_.device)
        n = len(sources)
        end = [SPECIAL_TOKENS[EOS_ID]]
        if not attention:  # the source tokens label attention only
            source_tokens = [None] * n
        elif texts is None:
            source_tokens = [[str(i) for i in ids] + end for ids in sources]
        else:
            # As written, so that replace_unk copies an unseen word itself
            # (a tokenizer of the user's without surface_tokens: its tokens).
            tokenizer = self.source_tokenizer_
            surface = getattr(tokenizer, "surface_tokens", None)
            source_tokens = [
                (surface(text) if surface else tokenizer.convert_ids(ids)) + end
                for text, ids in zip(texts, sources)
            ]
        return _Decoded(tokens, weights, source_tokens, extra, p_copies)

    def _output_tokens(self, ids, weights, source_tokens, extra=None):
        # Output tokens (copied words as the source wrote them); with
        # weights, each <unk> becomes the most attended source token (the
        # end marker excluded).
        # Padding and begin markers are never predicted before the end marker.
        ids = _until_end(ids)
        if ids.size and ids[-1] == EOS_ID:
            ids = ids[:-1]
        tokens = output_tokens(self.target_tokenizer_, ids, extra)
        if weights is not None and len(source_tokens) > 1:  # not for an empty source
            for t in np.flatnonzero(ids == UNK_ID):
                tokens[t] = source_tokens[int(np.argmax(weights[t, : len(source_tokens) - 1]))]
        return tokens


@dataclass
class _Decoded:
    """What :meth:`Seq2SeqAttentionTranslator._decode` returns, one entry per sample.

    tokens : int64 arrays of output ids (extended ids for copies)
    weights : float arrays (out_len, src_len + 1), or None without attention
    source_tokens : lists of str, the source tokens as written and "</s>"; None
        without attention
    extra : lists of the extended ids' words, or None without copy attention
    copy_probability : float arrays (out_len,), or None without copy attention
    """

    tokens: list
    weights: list
    source_tokens: list
    extra: list
    copy_probability: list


def _fitted_clone(tokenizer, texts):
    return clone(CharTokenizer() if tokenizer is None else tokenizer).fit(texts)
