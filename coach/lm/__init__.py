"""The local language-model runtime: packaged offline weights, loading, generation, prompts.

It knows how to run a model and nothing about support replies: the rewrite package
(`coach.rewrite`) and the LM judge (`coach.detectors.judge`) call it, and it imports neither.

  cards     - model cards (models/*.yaml): what to load and how to verify it
  assemble  - join the installed weight parts into one verified GGUF in the cache, once
  backends  - one small generation interface: llama.cpp (xllamacpp) and transformers+torch
  prompts   - versioned prompt templates from prompts/
"""
