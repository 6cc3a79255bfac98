"""Test helpers: a fake OpenAI server so tests and benchmarks use the real client stack."""
