"""Every use of another library's private internals, in one place, each checked by a test
that names the version it was written against (tests/test_compat.py). When an upgrade breaks
one of them, that test fails first and this is the only place to mend.

instructor 1.17.0 (`compat.instructor`):
- `instructor.v2.core.function_calls.response_schema`: wrap a response model once, not per call;
- `Instructor.hooks` set to None: the retry loop then emits no events (nor copies the usage for
  one) on a client no one hooks into;

openai 3.3.0 (`compat.openai_chat`):
- `chat.completions.create` transforms its body against the typed parameters, which leaves plain
  JSON as it is (no aliases or formats among the chat parameters), in the order of its keywords,
  and posts it with `security={"bearer_auth": True}`: a plain body is posted so directly.

llama-cpp-python 0.3.36 (`compat.llama`):
- `Llama._init_sampler`, `Llama.generate`, `Llama.eval` overridden; `_n_vocab`, `_logits_all`,
  `_n_ctx`, `_ctx`, `_batch`, `scores`, `input_ids` read: progress events, lazy greedy grammar
  sampling, prompt-lookup decoding that works;
- `llama_grammar.SchemaConverter._add_rule`: our `char` rule and `char{m,n}` strings;
- `Llama._model.vocab`: parse a grammar before sampling with it (a bad grammar crashes the
  process at sampling time), with fd 2 captured around that one C call;
- `llama_log_set`: llama.cpp's C log sent to the `summarizer.llama` logger (process-wide, set
  when the local backend is first used, never at import).
"""
