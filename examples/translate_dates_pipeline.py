"""Translate human-readable dates to ISO inside a scikit-learn Pipeline.

A CharTokenizer turns the strings into id sequences in the Pipeline; the
translator's own target_tokenizer handles y. About a minute on 2 cores.

    python examples/translate_dates_pipeline.py
"""

import argparse

from sklearn.pipeline import make_pipeline

from sk_seqattn import CharTokenizer, Seq2SeqAttentionTranslator
from sk_seqattn.datasets import make_dates
from sk_seqattn.metrics import corpus_chrf

parser = argparse.ArgumentParser()
parser.add_argument("--quick", action="store_true", help="tiny run (the test suite's smoke test)")
args = parser.parse_args()

X_train, y_train = make_dates(300 if args.quick else 20000, random_state=0)
X_test, y_test = make_dates(50 if args.quick else 1000, exclude=y_train, random_state=1)

pipe = make_pipeline(
    CharTokenizer(lowercase=True),
    Seq2SeqAttentionTranslator(attention="general", max_epochs=1 if args.quick else 2,
                               beam_size=3, random_state=0),
)
pipe.fit(X_train, y_train)
predictions = pipe.predict(X_test)
for source, prediction in list(zip(X_test, predictions))[:5]:
    print(f"{source!r:>40} -> {prediction}")
print(f"test exact match {pipe.score(X_test, y_test):.2%}, "
      f"chrF {corpus_chrf(y_test, predictions):.1f}")
