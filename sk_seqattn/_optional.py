"""Optional dependencies: imported when used, with the extra to install named."""

import importlib


def require(module, extra, feature):
    """Import ``module``, or raise an ImportError naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise ImportError(
            f"{feature} needs the `{package}` package: pip install 'sk_seqattn[{extra}]'."
        ) from exc
