"""Reply Coach web app (Gradio). Binds 127.0.0.1 by default; analytics off; nothing leaves the machine."""
from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build():
    import gradio as gr

    from coach import Coach
    from coach.render import format_flags

    coach = Coach()

    def check(text: str) -> str:
        return format_flags(text or "", coach.check(text or ""))

    with gr.Blocks(title="Reply Coach", analytics_enabled=False) as demo:
        gr.Markdown("# Reply Coach\nPaste a draft reply to see where it pushes the customer away.")
        draft = gr.Textbox(label="Draft", lines=6)
        out = gr.Textbox(label="Coaching", lines=12)
        gr.Button("Check", variant="primary").click(check, draft, out, api_name="check")
    return demo


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Reply Coach web app")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860)
    a = p.parse_args(argv)
    build().launch(server_name=a.host, server_port=a.port, share=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
