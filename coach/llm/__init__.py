"""The local language model: packaged offline weights, verified ownership rewrites, an LM judge.

Submodules, each one idea:
  cards     - model cards (models/*.yaml): what to load and how to verify it
  assemble  - join the installed weight parts into one verified GGUF in the cache, once
  backends  - one small generation interface: llama.cpp (xllamacpp) and transformers+torch
  prompts   - versioned prompt templates from prompts/
  retrieve  - few-shot examples from the rewrite bank, by flag type and embedding similarity
  verify    - the checks every rewrite candidate must pass (facts, promises, ownership, flags)
  fallback  - the conservative rule-based rewrite with [placeholders]
  rewrite   - `rewrite(text)`: candidates -> verification -> best passing or fallback
  judge     - the `lm` detector: schema-constrained JSON flags aligned to the draft
"""
