"""Semantic detection: a sentence-embedding classifier that runs beside the rule packs.

Rules catch stock phrases; this detector catches dodges written in words no list holds ("the
people upstairs decide", "it got mislaid somewhere along the line"). Drafts are split into
sentences (and clauses, for tighter spans), embedded with all-MiniLM-L6-v2 from an installed
package, and scored by a small per-type logistic-regression head trained with `reply-coach train-head`.

Modules: `segment` (units with exact offsets; the embedder itself is `coach.embedder`),
`head` (the trained, versioned classifier), `detector` (the pipeline detector), `train`
(building the head from labelled drafts), `cli` (`reply-coach train-head`).
"""
