"""The web app's handlers: pure functions from inputs to page values, one module per tab.

`app.py` only lays out Gradio components and wires them to these functions, so everything the
page shows is unit-tested without a browser:

  settings   limits, detector choice, rewrite mode, the cached Coach per detector set
  render     HTML for highlights, the legend, flag cards, rewrite diffs and checks
  check      the Check handler, live checking, and the `check` API endpoint
  api        POST /api/check (plain JSON route) and the middleware that fills API defaults
  model_slot the one local language model: one call at a time, a cap on waiting checks
  rewrite    the Suggest-rewrite handler and the `rewrite` API endpoint
  score      the Score-transcripts handler (over coach.score.run.score_paths)
  evaluate   the Evaluate handler (over coach.dataset / coach.evaluate)
  uploads    upload checks: Gradio temp folder only, size and type limits
  examples   example drafts from the dev set
  style      the page's CSS and keyboard shortcut script
"""
