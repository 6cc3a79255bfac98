"""A bare instructor script making the one request `summarizer summarize` makes, for
benchmarks/cli_vs_instructor.py: the same response model (so the same tool and schema), the
same messages, model and parameters (read from a request body the summarizer sent), through a
plain `instructor.from_openai(openai.OpenAI())`, printing the parsed answer.

    python benchmarks/bare_instructor.py BODY.json   (OPENAI_BASE_URL and OPENAI_API_KEY set)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import instructor
import openai

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from summarizer.schema import Extraction  # noqa: E402  - the data model: the same schema as sent

body = json.loads(Path(sys.argv[1]).read_text("utf-8"))
client = instructor.from_openai(openai.OpenAI(max_retries=0))
answer = client.chat.completions.create(
    response_model=Extraction,
    messages=body["messages"],
    model=body["model"],
    temperature=body["temperature"],
    max_tokens=body["max_tokens"],
    max_retries=0,
)
sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
