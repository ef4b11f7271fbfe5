"""Batch scoring of support transcripts into per-agent scorecards (`reply-coach score`).

The public entry point is `coach.score.run.score_paths`; see run.py for how a run is staged.
"""
