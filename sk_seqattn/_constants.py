"""Special token ids and strings, shared by the tokenizers and the networks.

A module of its own so that the networks do not import the tokenizers (and
with them pandas and scikit-learn).
"""

__all__ = ["PAD_ID", "UNK_ID", "BOS_ID", "EOS_ID", "SPECIAL_TOKENS"]

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
SPECIAL_TOKENS = ("<pad>", "<unk>", "<s>", "</s>")
