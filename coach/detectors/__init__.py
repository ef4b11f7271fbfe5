"""Every detector the pipeline (`coach.pipeline`) can run and merge, one folder or module each.

  rules      - rule packs as data (YAML per type), the engine and its registered conditions
  tagger     - the fine-tuned span tagger (the default learned detector)
  embedding  - the older sentence-embedding head (`reply-coach train-head`)
  judge      - the `lm` detector: the local language model asked for flags as JSON

A detector takes a `coach.text.DraftView` and returns `coach.flags.Flag`s with exact offsets.
"""
