"""`papers-bot run` as a real process: polling, webhook mode, clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.conftest import ROOT
from tests.support.fakebotapi import FakeBotApi


def start(api: FakeBotApi, tmp_path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PAPERS_BOT_DB": str(tmp_path / "bot.db"), "TELEGRAM_BOT_TOKEN": api.token,
           "TELEGRAM_API_URL": api.base_url,
           # unreachable on purpose: the bot must still start and answer from the bundled list
           "LIST_README_URL": "http://127.0.0.1:9/README.md", "ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
           "CITATIONS_API_URL": "http://127.0.0.1:9/graph/v1"}
    return subprocess.Popen([sys.executable, "-m", "bot", "run", *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_polling_answers_offline_and_stops_cleanly_on_sigterm(tmp_path) -> None:
    with FakeBotApi() as api:
        process = start(api, tmp_path)
        try:
            api.wait_for("getUpdates", timeout=30)
            api.push_message(77, "/papers gan")
            (reply,) = api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 77,
                                    timeout=30)
            assert "Generative adversarial nets" in reply.params["text"]
        finally:
            code, err = stop(process)
    assert code == 0, err
    assert "stopped cleanly" in err
    assert api.token not in err and api.token.split(":")[1] not in err
    assert [c["command"] for c in api.commands()][:2] == ["start", "help"]


def test_webhook_mode_receives_updates(tmp_path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    with FakeBotApi() as api:
        process = start(api, tmp_path, "--webhook", url, "--listen", "127.0.0.1",
                        "--port", str(port))
        try:
            (hook,) = api.wait_for("setWebhook", timeout=30)
            assert hook.params["url"] == url
            update = api.make_message_update(78, "/researchers rl", user_id=78)
            request = urllib.request.Request(
                url, data=json.dumps(update).encode(), method="POST",
                headers={"Content-Type": "application/json",
                         "X-Telegram-Bot-Api-Secret-Token": hook.params["secret_token"]},
            )
            _post_when_listening(request)
            (reply,) = api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 78,
                                    timeout=30)
            assert "Sergey Levine" in reply.params["text"]
            padded = api.make_message_update(79, "/help", user_id=79)
            padded["padding"] = "x" * (2 * 1024 * 1024)  # a valid update, 2 MB long
            huge = urllib.request.Request(  # refused by its length, before it is read
                url, data=json.dumps(padded).encode(), method="POST",
                headers={"Content-Type": "application/json",
                         "X-Telegram-Bot-Api-Secret-Token": hook.params["secret_token"]})
            status = None
            try:
                urllib.request.urlopen(huge, timeout=30).read()
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = "closed"  # the server may drop the connection instead of answering
            assert status in (400, 413, "closed")
            assert not [c for c in api.calls("sendMessage") if c.chat_id == 79]  # not processed
        finally:
            code, err = stop(process)
    assert code == 0, err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post_when_listening(request: urllib.request.Request) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(request, timeout=5).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_one_bot_per_database_second_run_and_deliver_refuse_until_the_first_dies(tmp_path) -> None:
    with FakeBotApi() as api:
        first = start(api, tmp_path)
        try:
            api.wait_for("getUpdates", timeout=30)
            second = start(api, tmp_path)
            _, err = second.communicate(timeout=60)
            assert second.returncode == 2
            assert err.strip().count("\n") == 0  # one line
            assert f"pid {first.pid}" in err and str(tmp_path / "bot.db") in err
            deliver = subprocess.run([sys.executable, "-m", "bot", "deliver"], cwd=ROOT,
                                     env=_env(api, tmp_path), text=True,
                                     capture_output=True, timeout=60)
            assert deliver.returncode == 2
            assert "`deliver` is for when it is stopped" in deliver.stderr
        finally:
            first.kill()  # SIGKILL: the kernel frees the lock, nothing stale is left
            first.communicate(timeout=30)
        deliver = subprocess.run([sys.executable, "-m", "bot", "deliver"], cwd=ROOT,
                                 env=_env(api, tmp_path), text=True, capture_output=True,
                                 timeout=60)
        assert deliver.returncode == 0, deliver.stderr
        assert "delivery: 0 sent" in deliver.stdout


def _env(api: FakeBotApi, tmp_path) -> dict[str, str]:
    return {**os.environ, "PAPERS_BOT_DB": str(tmp_path / "bot.db"),
            "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url}
