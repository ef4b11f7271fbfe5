"""The learned span tagger: a fine-tuned transformer encoder that tags problem spans.

Real agent messages are not written like our own examples, and regex packs tuned on our
sentences generalise poorly to them (family F1 0.28 on real tweets). The tagger is a MiniLM
encoder fine-tuned end to end for token classification (BIO per problem type) on a large,
multi-writer corpus plus labelled real messages; its per-token probabilities become spans with
exact character offsets, calibrated per type on the dev sets.

  labels    the BIO label set, from the taxonomy
  windows   draft -> token windows of whole sentences, with draft offsets (train and inference)
  runtime   ONNX Runtime + tokenizers: token probabilities for many drafts at once, no torch
  detector  the `tagger` detector of the pipeline
  train     fine-tuning (deterministic, resumable), ONNX export, int8 check, calibration
  cli       `reply-coach train`
"""
