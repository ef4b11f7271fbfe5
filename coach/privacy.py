"""Nothing leaves the machine: the environment that switches off every library's phoning home.

Drafts hold customer data and the README promises that nothing leaves this machine, so this is
applied when `coach` is first imported, before any library that reads these variables is: the
variables are read at import time (onnxruntime's built-in telemetry resolves
`mobile.events.data.microsoft.com` from `import onnxruntime` unless ORT_DISABLE_TELEMETRY is set
first; `onnxruntime.disable_telemetry_events()` afterwards does not stop it). Hub access is off
too: weights come from installed packages only, and a missing file is a clear error, never a
download. The values are forced, not defaults: the promise does not depend on the user's shell.
`tests/test_egress.py` traces the app and the CLI and fails on any socket beyond loopback.
"""
from __future__ import annotations

import os

PRIVACY_ENV: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",          # onnxruntime (embedding model)
    "HF_HUB_OFFLINE": "1",                 # huggingface_hub: never reach a hub
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",   # gradio: no usage analytics
    "DO_NOT_TRACK": "1",                   # the cross-tool convention (several libraries honour it)
    "RAY_USAGE_STATS_ENABLED": "0",        # ray (optional `score --engine ray`)
}


def apply() -> None:
    """Set every variable of PRIVACY_ENV in this process (and so in its children)."""
    os.environ.update(PRIVACY_ENV)
