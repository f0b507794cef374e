import numpy as np
import pytest
import torch

from sk_seqattn.net import BucketBatchSampler, SequenceCrossEntropy


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
