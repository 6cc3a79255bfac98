"""Bulk runs on batch engines: OpenAI's Batch API (and Azure, Groq, Gemini), or any engine
that reads the same file format (`vllm run-batch`), instead of live calls.

Articles go through the real pipeline with the answers known so far (`plan`, over the answers
transport of `transports/batch_answers.py`), so a batch answer is validated and grounded exactly like
a live one, and a request line is exactly the body a live call would send. Modules, by job:

- `lines`: the file format (request and result lines), custom ids, splitting under the limits;
- `answers`: result lines sorted into answers and failures; reading `--import-results` files;
- `plan`: one article through the pipeline: a result, a typed error, or the requests it needs;
- `api`: the Batch API (files, batches) through the openai client on our transport stack;
- `state`: `.OUT.jsonl.bulk.json`, what was uploaded and created, for resuming;
- `batches`: the provider side: submit, resume, poll (with backoff), read output and error files, cancel;
- `engine`: the articles, round by round: plan, send (batches, export file, or live), until done.

The command's glue (flags, messages, exit codes) is `summarizer/cli/batch_engine.py`.
"""
