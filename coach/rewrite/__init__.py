"""Ownership rewrites: a draft's flagged sentences rewritten so the reply owns the problem.

Split by concern; the language-model runtime it calls lives apart, in `coach.lm`.

  edits     - deterministic ownership edits of one sentence ("they" -> "we"), no model
  retrieve  - sentence pairs from the rewrite bank (prompts/rewrite_units.jsonl) as examples
  generate  - the model calls: clause prompt, retrieved example, greedy then sampled candidates
  verify    - the checks a candidate must pass; flags and dodges come from the detectors
  fallback  - the conservative template with one [placeholder] per missing fact
  rewriter  - `rewrite(text)`: check once, then edit -> model -> gaps -> template per sentence
  evaluate  - `reply-coach eval-rewrite`: proxies, latency and reader grades for a rewrite set
  cli       - `reply-coach rewrite` and `reply-coach eval-rewrite`
"""
