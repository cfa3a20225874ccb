"""django-helpdesk as its own Django project: the B2/B3 comparison (PERFORMANCE-SUITE.md §4).

A second Django project cannot share a process with Beatbook's settings, so bench/run.py
starts `python -m bench.helpdesk_site.driver` beside itself and asks it, round by round,
to time its creates and lists (the rounds stay interleaved with ours)."""
