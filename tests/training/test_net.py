import signal

import numpy as np
import pytest
import torch

from sk_seqattn.training.net import BucketBatchSampler, SequenceCrossEntropy


def _padding_fraction(batches, lengths):
    padded = sum(len(b) * lengths[b].max() for b in batches)
    return 1 - lengths.sum() / padded


@pytest.mark.parametrize("n_samples, batch_size", [(1000, 64), (130, 64), (5, 64), (640, 64)])
def test_bucket_sampler_covers_every_sample_once(n_samples, batch_size):
    lengths = np.random.RandomState(0).randint(1, 100, size=(n_samples, 2))
    sampler = BucketBatchSampler(lengths, batch_size, shuffle=True, pool_batches=4)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    assert sorted(i for b in batches for i in b) == list(range(n_samples))
    assert all(1 <= len(b) <= batch_size for b in batches)


def test_bucket_sampler_pads_less_and_is_seeded():
    lengths = np.random.RandomState(0).randint(5, 101, size=(5000, 2))
    torch.manual_seed(0)
    bucketed = BucketBatchSampler(lengths, 64, shuffle=True).batches()
    random_batches = np.array_split(np.random.RandomState(0).permutation(5000), 5000 // 64)
    target = lengths[:, 1]
    assert _padding_fraction(bucketed, target) < 0.1 < _padding_fraction(random_batches, target)
    torch.manual_seed(0)
    again = BucketBatchSampler(lengths, 64, shuffle=True).batches()
    assert all(np.array_equal(a, b) for a, b in zip(bucketed, again))
    unshuffled = BucketBatchSampler(lengths, 64, shuffle=False).batches()
    assert sorted(np.concatenate(unshuffled).tolist()) == list(range(5000))


def test_sequence_cross_entropy_normalizations():
    torch.manual_seed(0)
    logits = torch.randn(3, 4, 6)
    target = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0], [2, 2, 2, 2]])  # 0 is padding
    per_token = torch.nn.functional.cross_entropy(
        logits.reshape(-1, 6), target.reshape(-1), reduction="none").view(3, 4)
    real = target != 0
    total = per_token[real].sum()
    torch.testing.assert_close(SequenceCrossEntropy("sentences")(logits, target), total / 3)
    torch.testing.assert_close(SequenceCrossEntropy("tokens")(logits, target), total / 9)
    # per-sentence scaling: a sequence's loss does not depend on its batch mates' lengths
    alone = SequenceCrossEntropy("sentences")(logits[1:2, :2], target[1:2, :2])
    torch.testing.assert_close(alone, per_token[1, :2].sum())


class _CtrlCAtEpoch:
    """A skorch callback that presses Ctrl-C (sends SIGINT) at the end of an epoch."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.seen = 0

    def initialize(self):
        return self

    def on_epoch_end(self, net, **kwargs):
        self.seen += 1
        if self.seen == self.epoch:
            signal.raise_signal(signal.SIGINT)

    def __getattr__(self, name):  # every other hook: nothing
        if name.startswith("on_"):
            return lambda *args, **kwargs: None
        raise AttributeError(name)

    def get_params(self, deep=True):
        return {"epoch": self.epoch}

    def set_params(self, **params):
        return self


@pytest.mark.parametrize("estimator", ["regressor", "translator"])
def test_ctrl_c_in_fit_propagates_and_restores_torch_state(estimator):
    # skorch swallows KeyboardInterrupt in fit; ours must not, or a
    # half-trained estimator would look fitted.
    from sklearn.exceptions import NotFittedError

    from sk_seqattn import Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator

    threads = torch.get_num_threads()
    common = dict(max_epochs=5, random_state=0, callbacks=[("ctrl_c", _CtrlCAtEpoch(2))])
    if estimator == "regressor":
        model = Seq2SeqAttentionRegressor(hidden_size=4, **common)
        data = np.random.RandomState(0).randn(40, 6), np.random.RandomState(1).randn(40, 2)
    else:  # the translator's own thread count is set, and restored
        model = Seq2SeqAttentionTranslator(embedding_dim=4, hidden_size=8, n_threads=threads + 1,
                                           **common)
        data = ["abc", "bca", "cab"] * 4, ["cba", "acb", "bac"] * 4
    with pytest.raises(KeyboardInterrupt):
        model.fit(*data)
    assert torch.get_num_threads() == threads
    with pytest.raises(NotFittedError):
        model.predict(data[0])


def test_ctrl_c_stops_a_sequential_grid_search():
    from sklearn.model_selection import GridSearchCV

    from sk_seqattn import Seq2SeqAttentionRegressor

    X, y = np.random.RandomState(0).randn(40, 6), np.random.RandomState(1).randn(40, 2)
    search = GridSearchCV(
        Seq2SeqAttentionRegressor(hidden_size=4, max_epochs=3, random_state=0,
                                  callbacks=[("ctrl_c", _CtrlCAtEpoch(1))]),
        {"attention": ["dot", "none"]}, cv=2, error_score="raise",
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)


def test_early_stopping_still_ends_training_quietly():
    # skorch's EarlyStopping raises KeyboardInterrupt to stop: not a Ctrl-C.
    from skorch.callbacks import EarlyStopping

    from sk_seqattn import Seq2SeqAttentionRegressor

    X, y = np.random.RandomState(0).randn(40, 6), np.random.RandomState(1).randn(40, 2)
    reg = Seq2SeqAttentionRegressor(hidden_size=4, max_epochs=200, lr=0.05, random_state=0,
                                    validation_fraction=0.25,
                                    callbacks=[EarlyStopping(patience=1)]).fit(X, y)
    assert len(reg.history_) < 200
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
