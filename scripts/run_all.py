"""Starts the web server, a Celery worker and Celery beat together; stops all three on Ctrl-C.

The one worker consumes every queue of config/queues.py (docker-compose.yml runs one per queue), so
no kind of task is left waiting for a worker that `make run` does not start."""
from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def worker_command() -> list[str]:
    """One worker for every queue. config/queues.py is plain data, read without importing the
    config package (which would load Celery and the apps' signal handlers in this process)."""
    queues = runpy.run_path(str(ROOT / "config" / "queues.py"))["QUEUES"]
    return [str(BIN / "celery"), "-A", "config", "worker", "-l", "info", "-Q", ",".join(queues),
            "--concurrency", "2"]


def main() -> int:
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
           "PYTHONUNBUFFERED": "1"}
    (ROOT / "var").mkdir(exist_ok=True)
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"0.0.0.0:{port}", "--noreload"],
        "worker": worker_command(),
        "beat": [str(BIN / "celery"), "-A", "config", "beat", "-l", "info",
                 "-s", str(ROOT / "var" / "celerybeat-schedule")],
    }
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    print(f"\nSME Market is running at http://127.0.0.1:{port}/  (API docs: /api/v1/docs/, admin: /admin/)")
    print("Demo logins (password sme-demo-Market-2026):")
    print("  admin@sme-market.example (admin), moderator@sme-market.example (moderator),")
    print("  ayse@anatolia-textiles.example (seller, TR), li.wei@shenzhen-circuits.example (seller, CN),")
    print("  ana@recife-compras.example (buyer, BR), zhang.min@ningbo-home.example (buyer and seller, CN),")
    print("  otieno@mombasa-buyers.example (buyer, KE, waiting for verification)")
    print("Outgoing e-mail is written to var/mail/. Press Ctrl-C to stop.\n", flush=True)

    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping the others.", file=sys.stderr)
                exit_code = proc.returncode or 1
                stopping = True
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.time() + 15
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
