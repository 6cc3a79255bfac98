"""Our `Llama`: llama-cpp-python's class with progress events, faster greedy grammar sampling,
and prompt-lookup decoding that works.

Three changes, each measured on Qwen2.5-Coder-1.5B on 2 cores (`benchmarks/local_model.py`):

- **Progress**: `generate` emits a "prompt" event before the prompt is evaluated and a
  "generate" event per token (see `summarizer.progress`); with no listener that is one
  contextvar lookup per token. The response is untouched: usage and finish_reason are
  llama-cpp-python's own.
- **Greedy sampling with a grammar, checked lazily**: llama-cpp-python samples through a chain
  (penalties, grammar, greedy) that runs the grammar over all ~150k candidate tokens at every
  step: about 20 ms a token here, a sixth of the decode time. At temperature 0 with neutral
  penalties the answer is the highest-logit token the grammar allows, so we take the argmax
  of the raw logits, ask the grammar about that one token, and fall back to the full chain
  only when the grammar refuses it (llama.cpp's own `common_sampler` does the same). Same
  tokens, without the per-step scan.
- **Prompt lookup decoding** (`draft_model=LlamaPromptLookupDecoding`): in 0.3.36 a draft model
  makes `Llama` ask for logits of every token (`self._logits_all = True`) while the `scores`
  array is still sized from the `logits_all` *argument* (False): `(n_batch, n_vocab)` rows
  instead of `(n_ctx, n_vocab)`. `eval` then copies each batch's logits into
  `scores[n_past:n_past + n_tokens]`, which past row `n_batch` is short or empty: "could not
  broadcast input array from shape (11*n_vocab,) into shape (4*n_vocab,)" once the prompt
  reaches 508 tokens with a 10-token draft. Passing `logits_all=True` would "fix" it by
  computing and storing logits for every prompt token (8192 x 151936 floats: 5 GB). Sampling
  happens in llama.cpp's sampler, which reads the context's own logits, so `scores` is not
  needed at all: our `eval` asks for all logits only in the short batches that verify a
  draft, and never copies them. It stays off by default (`runtime.LOOKUP_TOKENS`): verifying
  a draft computes logits in a batch, which differ from one-token logits in the last bits, so
  near-ties can flip and the answer is not always the one plain greedy decoding gives.
"""

from __future__ import annotations

import ctypes
import math
from functools import cache
from typing import Any

from .. import progress

VERIFY_MAX = 16  # a batch this short may be a draft being verified: ask for every logit


@cache
def engine_class(llama_cpp: Any) -> type:
    """The `Llama` subclass, built once from the imported module (llama_cpp loads lazily)."""
    import numpy as np

    base = llama_cpp.Llama

    class GreedyGrammarSampler:
        """Greedy sampling through the grammar, testing the argmax first (see module doc)."""

        def __init__(self, chain: Any, has_grammar: bool, n_vocab: int) -> None:
            self.chain = chain  # the LlamaSampler llama-cpp-python built: the fallback
            self.grammar = llama_cpp.llama_sampler_chain_get(chain.sampler, 1) if has_grammar else None
            self.n_vocab = n_vocab
            self.one = (llama_cpp.llama_token_data * 1)()
            self.candidates = llama_cpp.llama_token_data_array(
                data=ctypes.cast(self.one, llama_cpp.llama_token_data_p), size=1, selected=-1, sorted=False
            )
            self.fallbacks = 0

        def sample(self, ctx: Any, idx: int) -> int:
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx.ctx, idx), shape=(self.n_vocab,))
            token = int(np.argmax(logits))
            if self.grammar is not None:
                self.one[0].id = token
                self.one[0].logit = float(logits[token])
                self.one[0].p = 0.0
                self.candidates.size = 1
                self.candidates.selected = -1
                llama_cpp.llama_sampler_apply(self.grammar, ctypes.byref(self.candidates))
                if math.isinf(self.one[0].logit):  # refused: the full chain picks (and accepts)
                    self.fallbacks += 1
                    return int(self.chain.sample(ctx, idx))
            llama_cpp.llama_sampler_accept(self.chain.sampler, token)
            return token

        def accept(self, token: int) -> None:
            self.chain.accept(token)

        def close(self) -> None:
            self.chain.close()

    class Engine(base):  # type: ignore[misc, valid-type]
        """llama_cpp.Llama with progress events, lazy greedy grammar and working draft models."""

        def _init_sampler(self, **kwargs: Any) -> Any:
            chain = super()._init_sampler(**kwargs)
            plain_greedy = (
                kwargs.get("temp") == 0.0
                and kwargs.get("logits_processor") is None
                and kwargs.get("repeat_penalty", 1.0) == 1.0
                and kwargs.get("frequency_penalty", 0.0) == 0.0
                and kwargs.get("presence_penalty", 0.0) == 0.0
            )
            if not plain_greedy:
                return chain
            return GreedyGrammarSampler(chain, kwargs.get("grammar") is not None, self._n_vocab)

        def generate(self, tokens: Any, *args: Any, **kwargs: Any) -> Any:
            if progress.active():
                progress.emit("prompt", f"reading the prompt ({len(tokens):,} tokens)", 0, len(tokens))
            produced = 0
            for token in super().generate(tokens, *args, **kwargs):
                produced += 1
                progress.emit("generate", "generating", produced)
                yield token

        def eval(self, tokens: Any) -> None:
            if not self._logits_all or self.scores.shape[0] >= self._n_ctx:
                super().eval(tokens)  # no draft model, or `scores` really holds every row
                return
            # Made with a draft model: logits for every token only in a short (verification)
            # batch, and never copied into the too-short `scores` (see the module doc).
            every = self.draft_model is not None and len(tokens) <= VERIFY_MAX
            self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
            for i in range(0, len(tokens), self.n_batch):
                batch = tokens[i : min(len(tokens), i + self.n_batch)]
                n_past = self.n_tokens
                self._batch.set_batch(batch=batch, n_past=n_past, logits_all=every)
                self._ctx.decode(self._batch)
                self.input_ids[n_past : n_past + len(batch)] = batch
                self.n_tokens += len(batch)
                self._requires_eval = False

    return Engine
