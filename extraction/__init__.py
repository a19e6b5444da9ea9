"""Invoice extraction library.

Pure Python: importable and testable without Django. Django code calls into it through
``extraction.engines.registry`` and ``extraction.pipeline``; nothing in here reads
``django.conf.settings`` -- configuration arrives as a frozen ``EngineContext``.
"""
