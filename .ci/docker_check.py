"""CI step: build the image and run it for real against the fake Bot API (issue 13).

    python .ci/docker_check.py [--image NAME] [--skip-build]

Checks, each printed as one line: /start answered, runs as non-root, `papers-bot health` inside
the container ok, `docker stop` clean within the grace period, the token absent from
`docker logs`, and a root-owned bind mount at /data refused in one line naming the chown.
Exits 1 when any check fails. Needs a running Docker engine (.ci/run starts one with
../shared/tools/docker-local.sh); the container uses the host network, so the fake Bot API on
127.0.0.1 is reachable and nothing else is (the list and arXiv URLs point at a closed port).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fakebotapi import FakeBotApi  # noqa: E402

GRACE = 30  # seconds, as in compose.yaml's stop_grace_period
NAME = "papers-bot-ci"
CLOSED = "http://127.0.0.1:9"  # nothing listens: polls fail fast, the bot must still answer


def docker(*args: str, check: bool = False, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          check=check)


def env_args(api: FakeBotApi) -> list[str]:
    settings = {
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
        "LIST_README_URL": f"{CLOSED}/README.md", "ARXIV_RSS_URL": f"{CLOSED}/rss",
        "ARXIV_API_URL": f"{CLOSED}/api/query", "CITATIONS_API_URL": f"{CLOSED}/graph/v1",
    }
    return [part for key, value in settings.items() for part in ("-e", f"{key}={value}")]


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {name}{f': {detail}' if detail else ''}", flush=True)
        if not ok:
            self.failed.append(name)


def run_checks(image: str, checks: Checks) -> None:
    docker("rm", "-f", NAME)
    docker("volume", "rm", "-f", f"{NAME}-data")
    with FakeBotApi() as api:  # on 127.0.0.1: the host network makes it the container's too
        started = docker("run", "-d", "--network", "host", "--name", NAME, *env_args(api),
                         "-v", f"{NAME}-data:/data", image)
        checks.check("container starts", started.returncode == 0, started.stderr.strip())
        if started.returncode:
            return
        try:
            api.wait_for("getUpdates", timeout=120)
            api.push_message(77, "/start")
            replies = api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 77,
                                   timeout=60)
            checks.check("/start answered", "awesome-deep-learning-papers" in
                         replies[0].params.get("text", ""))
        except Exception as exc:  # noqa: BLE001 - reported as a failed check
            checks.check("/start answered", False, f"{type(exc).__name__}: {exc}")
        uid = docker("exec", NAME, "id", "-u").stdout.strip()
        checks.check("runs as non-root", uid.isdigit() and uid != "0", f"uid {uid}")
        health = docker("exec", NAME, "papers-bot", "health")
        checks.check("papers-bot health inside the container", health.returncode == 0,
                     (health.stdout + health.stderr).strip())
        asked = time.monotonic()
        docker("stop", "-t", str(GRACE), NAME, timeout=GRACE + 60)
        took = time.monotonic() - asked
        code = docker("inspect", "-f", "{{.State.ExitCode}}", NAME).stdout.strip()
        logs = docker("logs", NAME)
        text = logs.stdout + logs.stderr
        checks.check("docker stop clean within the grace period",
                     code == "0" and took < GRACE and "stopped cleanly" in text,
                     f"exit {code} after {took:.1f} s")
        secret = api.token.split(":", 1)[1]
        checks.check("token absent from docker logs", api.token not in text and secret not in text)
        docker("rm", "-f", NAME)
        docker("volume", "rm", "-f", f"{NAME}-data")
        with tempfile.TemporaryDirectory() as folder:
            os.chown(folder, 0, 0)
            os.chmod(folder, 0o755)
            refused = docker("run", "--rm", "--network", "host", *env_args(api), "-v",
                             f"{folder}:/data", image, timeout=120)
        lines = [line for line in (refused.stdout + refused.stderr).splitlines() if line.strip()]
        checks.check("root-owned bind mount refused in one line",
                     refused.returncode != 0 and len(lines) == 1 and "/data" in lines[0]
                     and "chown" in lines[0], " | ".join(lines)[:300])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="awesome-papers-bot:ci")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    checks = Checks()
    if not args.skip_build:
        began = time.monotonic()
        built = docker("build", "--network", "host", "-t", args.image, str(ROOT), timeout=1800)
        checks.check("image builds", built.returncode == 0,
                     f"{time.monotonic() - began:.0f} s" if built.returncode == 0
                     else built.stderr.strip()[-500:])
        if built.returncode:
            return 1
    run_checks(args.image, checks)
    verdict = "all passed" if not checks.failed else "FAILED: " + ", ".join(checks.failed)
    print(f"docker checks: {verdict}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
