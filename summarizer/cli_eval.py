"""`summarizer eval`: placeholder until evaluate.py lands (issue 7)."""
