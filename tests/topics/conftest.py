from tests.analysis.conftest import _models_dir  # noqa: F401  (trained models go to a fresh folder per test)
