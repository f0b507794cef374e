import io
import sys

import numpy as np
import pytest

from sk_seqattn import Seq2SeqAttentionRegressor
from sk_seqattn._optional import require


def test_missing_optional_package_names_the_extra():
    with pytest.raises(ImportError, match=r"Plotting needs the `no_such_pkg` package: "
                                          r"pip install 'sk_seqattn\[plots\]'"):
        require("no_such_pkg.sub", "plots", "Plotting")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("verbose, terminal, expected", [
    (2, True, True), (2, False, False), (1, True, False), (0, True, False),
])
def test_progress_bar_only_when_asked_and_drawable(monkeypatch, verbose, terminal, expected):
    monkeypatch.setattr(sys, "stderr", _Terminal() if terminal else io.StringIO())
    X, y = np.random.RandomState(0).randn(20, 6), np.random.RandomState(1).randn(20, 2)
    reg = Seq2SeqAttentionRegressor(hidden_size=4, max_epochs=1, verbose=verbose).fit(X, y)
    names = {name for name, _ in reg.net_.callbacks_}
    assert ("progress_bar" in names) is expected
    assert ("print_log" in names) is bool(verbose)
