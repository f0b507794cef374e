"""sk_seqattn: Luong-attention sequence-to-sequence models as scikit-learn estimators.

Forecasting lives in :mod:`sk_seqattn.forecasting`, translation in
:mod:`sk_seqattn.translation`, the torch networks in :mod:`sk_seqattn.nn`,
the skorch layer in :mod:`sk_seqattn.training`, model files in
:mod:`sk_seqattn.io` and the command line in :mod:`sk_seqattn.cli`; the
public names are imported here.
"""

from .forecasting.classical import ThetaWindowRegressor
from .forecasting.combination import ForecastCombination
from .forecasting.conformal import ConformalForecaster
from .forecasting.ensemble import LookbackEnsemble, SeedEnsemble
from .forecasting.floor import LinearFloorRegressor
from .forecasting.panel_windows import PanelWindows, forecast_panel
from .forecasting.regressor import Seq2SeqAttentionRegressor
from .forecasting.windows import calendar_features, forecasts_to_frame, last_windows, make_windows
from .io.persistence import load, save
from .training.distributed import init_distributed
from .translation.tokenizers import BPETokenizer, CharTokenizer, WordTokenizer
from .translation.translator import AttentionMap, Seq2SeqAttentionTranslator

__all__ = [
    "AttentionMap",
    "BPETokenizer",
    "CharTokenizer",
    "ConformalForecaster",
    "ForecastCombination",
    "LinearFloorRegressor",
    "LookbackEnsemble",
    "PanelWindows",
    "SeedEnsemble",
    "ThetaWindowRegressor",
    "Seq2SeqAttentionRegressor",
    "Seq2SeqAttentionTranslator",
    "WordTokenizer",
    "calendar_features",
    "forecast_panel",
    "forecasts_to_frame",
    "init_distributed",
    "last_windows",
    "load",
    "make_windows",
    "save",
]
__version__ = "0.1.0"
