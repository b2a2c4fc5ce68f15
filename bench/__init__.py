"""esgui benchmark suite (issue 6): see bench/run.py."""
