"""The page's CSS and its one script (Ctrl/Cmd+Enter runs Check; typing runs a live check).

Family colours come from `coach.render.FAMILY_STYLES` (shared with report.html), so the
highlights, labels, cards and legend can never disagree. Highlights set their own dark text
colour so they stay readable in dark mode.
"""
from __future__ import annotations

from coach.render import HIGHLIGHT_CSS, family_css
from coach.web.check import LIVE_DEBOUNCE_MS

_BASE = """
.rc-header h1 { margin: 0 0 2px 0; font-size: 1.7rem; }
.rc-header p { margin: 0; }
.rc-tagline { font-size: 1.02rem; opacity: .85; }
.rc-status { font-size: .9rem; opacity: .8; margin-top: 4px !important; }
.rc-h { font-size: 1.05rem; margin: 14px 0 6px 0; }
.rc-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.rc-draft { white-space: pre-wrap; line-height: 2.05; font-size: 1.02rem; padding: 12px 14px;
  border: 1px solid var(--border-color-primary); border-radius: 8px;
  background: var(--block-background-fill); }
.rc-legend { list-style: none; padding: 0; margin: 10px 0 0 0; display: flex; flex-wrap: wrap;
  gap: 6px 18px; font-size: .88rem; }
.rc-legend-item { margin: 0; }
.rc-legend-none { opacity: .6; }
.rc-legend-style, .rc-legend-count { opacity: .75; }
.rc-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
  gap: 12px; margin-top: 12px; }
.rc-card { border: 1px solid var(--border-color-primary); border-left-width: 6px;
  border-radius: 8px; padding: 10px 14px; background: var(--block-background-fill); }
.rc-card p { margin: 6px 0; font-size: .93rem; }
.rc-card-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.rc-card-meta { font-size: .8rem; opacity: .75; }
.rc-quote { margin: 8px 0; padding: 4px 10px; font-style: italic;
  border-left: 3px solid var(--border-color-primary); }
.rc-source { font-size: .78rem; opacity: .65; }
.rc-notice { padding: 10px 14px; border-radius: 8px; border: 1px solid; font-weight: 500;
  margin: 4px 0; }
.rc-notice-icon { margin-right: 8px; }
.rc-notice-ok { background: #ecfdf5; border-color: #059669; color: #065f46; }
.rc-notice-error { background: #fef2f2; border-color: #dc2626; color: #991b1b; }
.rc-notice-info { background: #eff6ff; border-color: #2563eb; color: #1e3a8a; }
.rc-notice-warn { background: #fffbeb; border-color: #d97706; color: #78350f; }
.rc-changes { margin: 4px 0 10px; padding-left: 1.4em; }
.rc-change { margin: 0 0 10px; }
.rc-was, .rc-now { margin: 2px 0; }
.rc-was span, .rc-now span { display: inline-block; min-width: 4.2em; font-weight: 600;
  font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.03em; }
.rc-was { color: var(--body-text-color-subdued); }
.rc-because { margin: 2px 0 0; padding-left: 1.2em; font-size: 0.92em; }
.rc-diff { white-space: pre-wrap; line-height: 1.9; padding: 10px 14px; border-radius: 8px;
  border: 1px solid var(--border-color-primary); background: var(--block-background-fill); }
.rc-del { background: #fee2e2; color: #7f1d1d; text-decoration: line-through; }
.rc-ins { background: #dcfce7; color: #14532d; text-decoration: underline; }
.rc-checks { list-style: none; padding: 0; margin: 8px 0; }
.rc-check { margin: 3px 0; }
.rc-check-mark { display: inline-block; width: 1.3em; font-weight: 700; }
.rc-check-passed .rc-check-mark { color: #059669; }
.rc-check-failed .rc-check-mark { color: #dc2626; }
.rc-check-detail { opacity: .75; }
.rc-turn { margin: 10px 0 14px 0; }
.rc-turn-head { font-weight: 600; margin: 0 0 4px 0; font-size: .92rem; }
.rc-table { border-collapse: collapse; width: 100%; font-size: .92rem; }
.rc-table th, .rc-table td { border: 1px solid var(--border-color-primary); padding: 6px 10px;
  text-align: left; }
.rc-settings dt { font-weight: 600; margin-top: 10px; }
.rc-settings dd { margin: 2px 0 0 0; }
.rc-sub { font-size: .88rem; font-weight: 600; margin: 6px 0 4px 0; }
.rc-hint { font-size: .85rem; opacity: .75; margin: 0; }
#check-btn, #rewrite-btn, #clear-btn { white-space: nowrap; }
"""


CSS = _BASE + HIGHLIGHT_CSS + family_css()

# Ctrl+Enter (Cmd+Enter on a Mac) in the draft box clicks Check. Typing in it clicks the hidden
# live-check button LIVE_DEBOUNCE_MS after the last keystroke (a debounce: each key restarts the
# timer), so a check runs when the agent pauses, not on every key. Only real input events count:
# an example or Clear filling the box runs its own check.
HEAD = """<script>
(function () {
  var liveTimer = null;
  document.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && e.target && e.target.closest
        && e.target.closest('#draft')) {
      e.preventDefault();
      clearTimeout(liveTimer);
      var b = document.querySelector('#check-btn');
      if (b) { b.click(); }
    }
  });
  function liveSoon() {
    clearTimeout(liveTimer);
    liveTimer = setTimeout(function () {
      var b = document.querySelector('#live-check-btn');
      if (b) { b.click(); }
    }, %d);
  }
  document.addEventListener('input', function (e) {
    if (!(e.target && e.target.closest && e.target.closest('#draft'))) { return; }
    liveSoon();
  });
  // Clear, then one live check of the empty box: a live check still in flight for the old
  // text would otherwise land after Clear and put its highlights back. The live check runs
  // "always_last", so this one waits for that one and has the last word.
  document.addEventListener('click', function (e) {
    if (e.target && e.target.closest && e.target.closest('#clear-btn')) { liveSoon(); }
  });
})();
</script>""" % LIVE_DEBOUNCE_MS
