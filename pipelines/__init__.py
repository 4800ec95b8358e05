"""xxgk: extract, check and compare 政府信息公开工作年度报告."""

__version__ = "0.1.0"

from pipelines import native as _native
from pipelines import settings as _settings

_settings.one_blas_thread()  # before anything loads numpy

# The compiled parser and readers when a build matches these sources (pipelines.native); else pure Python.
_native.install()
