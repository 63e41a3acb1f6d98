"""credstack benchmarks: ``make bench`` (``python -m benchmarks``) runs the modules listed in ``__main__.MODULES``.

Benchmarks print figures; they are not tests and never fail because a machine is slow. Each module has a
``run()`` that prints its own section.
"""
