"""One small generation interface, two runtimes.

- `LlamaCppBackend` (default on CPU): the verified GGUF through `xllamacpp`, a prebuilt llama.cpp
  wheel. ~20-35 tokens/s decode on 2 cores, ~1.9 GB RSS, and a JSON-schema `response_format`
  so the output shape cannot be steered by the draft's text.
- `TransformersBackend`: transformers + torch, for a GPU or a Hugging Face model directory given
  with `--model`. (Loading the GGUF through transformers dequantises it to fp32: ~9 GB and ~2
  tokens/s on CPU, so it is never the CPU default.)

Every call has hard limits: `max_tokens` and a wall-clock `timeout_s`. The model is loaded once
per process (`get_backend`) behind a lock, since the app serves requests from threads.
"""
from __future__ import annotations

import functools
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from coach.errors import CoachError, ModelUnavailableError
from coach.lm.cards import DEFAULT_MODEL, ModelCard, load_card


@dataclass
class Generation:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_ms: float = 0.0
    decode_ms: float = 0.0
    finish_reason: str = ""

    def json(self) -> dict | None:
        """The output parsed as a JSON object, or None (a truncated or malformed answer)."""
        return parse_json_object(self.text)


def parse_json_object(text: str) -> dict | None:
    if not isinstance(text, str):  # a malformed reply (e.g. content null): no answer
        return None
    t = text.strip()
    if t.startswith("```"):
        t = re.sub(r"^```(?:json)?|```$", "", t).strip()
    try:
        obj = json.loads(t)
    except json.JSONDecodeError:
        m = re.search(r"\{.*\}", t, re.S)
        if not m:
            return None
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            return None
    return obj if isinstance(obj, dict) else None


class Backend(Protocol):
    name: str
    card: ModelCard | None   # the model card it was loaded from (generation settings), if any

    def chat(self, messages: list[dict], *, max_tokens: int, temperature: float = 0.0,
             top_p: float = 1.0, seed: int = 0, json_schema: dict | None = None,
             timeout_s: float = 20.0, ban: tuple[str, ...] = ()) -> Generation: ...


def chat_many(backend: Backend, messages: list[dict], n: int, *, seed: int = 0,
              **kw) -> list[Generation]:
    """`n` sampled completions of one prompt. A backend with `chat_n` (llama.cpp) decodes them
    side by side in batches of its `slots`; any other gets one `chat` per candidate with seeds
    seed, seed+1, ... Either way the caller gets at most `n` answers; one is a plain `chat`."""
    out: list[Generation] = []
    if n > 1 and hasattr(backend, "chat_n"):
        step = max(1, int(getattr(backend, "slots", n)))
        while len(out) < n:
            k = min(step, n - len(out))
            out += backend.chat_n(messages, k, seed=seed + len(out), **kw)[:k]
        return out
    return [backend.chat(messages, seed=seed + i, **kw) for i in range(n)]


class LlamaCppBackend:
    """llama.cpp via xllamacpp's in-process server (no sockets are opened)."""

    name = "llama.cpp"

    def __init__(self, model_path: str | Path, card: ModelCard, threads: int | None = None) -> None:
        self.card = card
        try:
            import xllamacpp as xlc
        except ImportError:
            raise ModelUnavailableError(
                "the llama.cpp runtime is not installed; install it with `.venv/bin/pip install "
                "xllamacpp` (or `make setup`), or use --no-model for the rule-based fallback") from None
        t0 = time.perf_counter()
        p = xlc.CommonParams()
        p.model.path = str(model_path)
        p.n_ctx = card.context
        # Slots that decode side by side: `chat_n` reads a prompt once and samples up to this many
        # candidates together (on 2 cores a decoding step for 3 costs ~1.8x a step for one). One
        # KV buffer shared by all slots, so each can still use the whole context.
        self.slots = max(1, int(card.gen("parallel", 4)))
        p.n_parallel = self.slots
        p.kv_unified = True
        # llama.cpp keeps the prompts of idle slots in host memory to reuse them (8 GiB by
        # default, which would grow with every distinct draft of a long-running app): a few
        # prompts are all the reuse there is, since only the system message is shared.
        p.cache_ram_mib = int(card.gen("prompt_cache_mib", 256))
        # n_predict is left at the server default (-1, no server-wide cap): every request sets its
        # own max_tokens, and a server cap would silently truncate the longer "whole" rewrites.
        n = threads or int(os.environ.get("REPLY_COACH_THREADS", 0)) or max(1, min(os.cpu_count() or 2, 8))
        p.cpuparams.n_threads = n
        p.cpuparams_batch.n_threads = n
        p.warmup = False
        try:
            p.verbosity = -1
        except Exception:  # older builds lack the knob; logs then go to stderr, never draft text
            pass
        try:
            self._server = xlc.Server(p)
        except Exception as e:
            raise ModelUnavailableError(f"llama.cpp could not load {model_path} ({e}); delete the "
                                        "cached file so it is assembled again") from None
        self.load_s = time.perf_counter() - t0
        self._lock = threading.Lock()

    def _call(self, method: str, req: dict) -> dict:
        with self._lock:
            out = getattr(self._server, method)(req)
        if isinstance(out, str):
            out = json.loads(out)
        if isinstance(out, dict) and "error" in out:
            raise RuntimeError(f"llama.cpp error: {out['error']}")
        return out

    def chat(self, messages: list[dict], *, max_tokens: int, temperature: float = 0.0,
             top_p: float = 1.0, seed: int = 0, json_schema: dict | None = None,
             timeout_s: float = 20.0, ban: tuple[str, ...] = ()) -> Generation:
        """One completion. `ban`: words the model may not write (their tokens get -inf)."""
        return self.chat_n(messages, 1, max_tokens=max_tokens, temperature=temperature,
                           top_p=top_p, seed=seed, json_schema=json_schema, timeout_s=timeout_s,
                           ban=ban)[0]

    def chat_n(self, messages: list[dict], n: int, *, max_tokens: int, temperature: float = 0.0,
               top_p: float = 1.0, seed: int = 0, json_schema: dict | None = None,
               timeout_s: float = 20.0, ban: tuple[str, ...] = ()) -> list[Generation]:
        """`n` completions of one prompt (at most `slots`): llama.cpp reads the prompt once, copies
        its state to n slots and decodes them in one batch. Each gets its own sampling stream,
        so with temperature > 0 they differ."""
        n = max(1, min(int(n), self.slots))
        req: dict = {"messages": messages, "max_tokens": int(max_tokens),
                     "temperature": float(temperature), "top_p": float(top_p), "seed": int(seed),
                     "t_max_predict_ms": int(timeout_s * 1000), "cache_prompt": True}
        if n > 1:
            req["n_cmpl"] = n
        if temperature == 0:
            req["top_k"] = 1
        if ban:
            req["logit_bias"] = [[w, False] for w in ban]
        if json_schema is not None:
            req["response_format"] = {"type": "json_schema",
                                      "json_schema": {"name": "answer", "schema": json_schema}}
        out = self._call("handle_chat_completions", req)
        tm = out.get("timings", {})
        us = out.get("usage", {})
        choices = out["choices"]
        if not choices:
            raise ValueError("llama.cpp returned no choices")
        return [Generation(ch["message"].get("content") or "", int(us.get("prompt_tokens", 0)),
                           int(us.get("completion_tokens", 0)), float(tm.get("prompt_ms", 0.0)),
                           float(tm.get("predicted_ms", 0.0)), ch.get("finish_reason", ""))
                for ch in choices]


class TransformersBackend:
    """transformers + torch: a HF model directory, or a GPU. No JSON grammar: output is parsed."""

    name = "transformers"

    def __init__(self, model_dir: str | Path | None = None, gguf: str | Path | None = None,
                 device: str | None = None, card: ModelCard | None = None) -> None:
        self.card = card
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise ModelUnavailableError("transformers and torch are needed for --backend "
                                        "transformers; install them (make setup)") from None
        t0 = time.perf_counter()
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if gguf is not None:
            src, kw = str(Path(gguf).parent), {"gguf_file": Path(gguf).name}
        elif model_dir is not None:
            if not Path(model_dir).is_dir():
                raise ModelUnavailableError(f"model directory {model_dir} not found")
            src, kw = str(model_dir), {}
        else:
            raise ModelUnavailableError("the transformers backend needs --model DIR or a GGUF")
        try:
            self.tok = AutoTokenizer.from_pretrained(src, local_files_only=True, **kw)
            dtype = torch.float16 if self.device == "cuda" else torch.float32
            self.model = AutoModelForCausalLM.from_pretrained(src, local_files_only=True,
                                                              dtype=dtype, **kw).to(self.device)
        except Exception as e:
            raise ModelUnavailableError(f"could not load a model from {src} ({e})") from None
        self.model.eval()
        self._torch = torch
        self.load_s = time.perf_counter() - t0
        self._lock = threading.Lock()

    def chat(self, messages: list[dict], *, max_tokens: int, temperature: float = 0.0,
             top_p: float = 1.0, seed: int = 0, json_schema: dict | None = None,
             timeout_s: float = 20.0, ban: tuple[str, ...] = ()) -> Generation:
        torch = self._torch
        bad = [ids for w in ban if (ids := self.tok.encode(w, add_special_tokens=False))]
        if json_schema is not None:  # no grammar here: ask for the shape in words, parse later
            keys = ", ".join(f'"{k}"' for k in (json_schema.get("properties") or {}))
            messages = messages + [{"role": "system",
                                    "content": f"Answer with one JSON object with keys {keys} only."}]
        ids = self.tok.apply_chat_template(messages, add_generation_prompt=True,
                                           return_tensors="pt")
        if not isinstance(ids, torch.Tensor):
            ids = ids["input_ids"]
        ids = ids.to(self.device)
        t0 = time.perf_counter()
        with self._lock, torch.no_grad():
            torch.manual_seed(seed)
            out = self.model.generate(ids, max_new_tokens=int(max_tokens), max_time=timeout_s,
                                      do_sample=temperature > 0,
                                      temperature=temperature if temperature > 0 else None,
                                      top_p=top_p if temperature > 0 else None,
                                      pad_token_id=self.tok.eos_token_id,
                                      bad_words_ids=bad or None)
        ms = (time.perf_counter() - t0) * 1000
        new = out[0, ids.shape[1]:]
        return Generation(self.tok.decode(new, skip_special_tokens=True), int(ids.shape[1]),
                          int(new.shape[0]), 0.0, ms, "")


def generation_settings(backend) -> dict:
    """The generation settings of the model card `backend` was loaded from; the default card's
    for a backend without one (a model directory, a test fake), {} when that cannot be read."""
    card = getattr(backend, "card", None)
    if card is None:
        try:
            card = load_card()
        except CoachError:
            return {}
    return dict(card.generation)


_BACKENDS: dict[tuple, Backend] = {}
_LOCK = threading.Lock()


def get_backend(model: str | None = None, backend: str | None = None) -> Backend:
    """The process-wide backend, loaded on first use.

    `model` is a card name (default: the packaged Qwen2.5-Coder-1.5B) or a Hugging Face model
    directory; `backend` is `llama.cpp` (default on CPU), `transformers`, or None for automatic
    (transformers when a GPU is present or a directory is given, llama.cpp otherwise).
    """
    is_dir = bool(model) and Path(model).is_dir()
    # Resolve "auto" before looking in the cache, so that the same model asked for with and
    # without an explicit backend is one loaded model, not two.
    kind = "transformers" if is_dir else (backend or ("transformers" if _has_gpu() else "llama.cpp"))
    key = (str(Path(model).resolve()) if is_dir else (model or DEFAULT_MODEL), kind)
    with _LOCK:
        if key in _BACKENDS:
            return _BACKENDS[key]
        if is_dir:
            b: Backend = TransformersBackend(model_dir=model)
        else:
            from coach.lm.assemble import assemble

            card = load_card(model or DEFAULT_MODEL)
            path = assemble(card)
            b = (TransformersBackend(gguf=path, card=card) if kind == "transformers"
                 else LlamaCppBackend(path, card))
        _BACKENDS[key] = b
        return b


@functools.lru_cache(maxsize=1)
def _has_gpu() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:
        return False


def reset_backends() -> None:
    """Forget loaded backends (tests)."""
    with _LOCK:
        _BACKENDS.clear()
