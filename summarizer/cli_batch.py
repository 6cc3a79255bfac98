"""`summarizer batch`: placeholder until batch.py lands (issue 6)."""
