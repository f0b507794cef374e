"""
Dates to ISO inside a scikit-learn Pipeline
===========================================

A :class:`~sk_seqattn.CharTokenizer` turns the strings into id sequences
inside the Pipeline; the translator's own ``target_tokenizer`` handles
``y``. The test dates fall on days that none of the training dates fall
on. Learning curves of this task are in
``benchmarks/results/translator_dates.txt``.

Run it from the repository root (``--quick``: 300 dates, one epoch)::

    pip install -e '.[datasets,metrics]'
    python examples/translate_dates_pipeline.py
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), trains on 300 dates for one epoch: the test suite's and the docs' run.
import argparse
import os

parser = argparse.ArgumentParser(description="Dates to ISO in a Pipeline.")
parser.add_argument("--quick", action="store_true", help="300 dates, one epoch")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"

# %%
# Fit and translate
# -----------------
from sklearn.pipeline import make_pipeline

from sk_seqattn import CharTokenizer, Seq2SeqAttentionTranslator
from sk_seqattn.datasets import make_dates
from sk_seqattn.metrics import corpus_chrf

X_train, y_train = make_dates(300 if quick else 20000, random_state=0)
X_test, y_test = make_dates(50 if quick else 1000, exclude=y_train, random_state=1)

pipe = make_pipeline(
    CharTokenizer(lowercase=True),
    Seq2SeqAttentionTranslator(attention="general", max_epochs=1 if quick else 2,
                               beam_size=3, random_state=0),
)
pipe.fit(X_train, y_train)
predictions = pipe.predict(X_test)
for source, prediction in list(zip(X_test, predictions))[:5]:
    print(f"{source!r:>40} -> {prediction}")
print(f"test exact match {pipe.score(X_test, y_test):.2%}, "
      f"chrF {corpus_chrf(y_test, predictions):.1f}")
