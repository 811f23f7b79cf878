"""`limber run` as a real process: token problems, long polling and the webhook."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.console.fake_bot_api import FakeBotApi

GOOD_TOKEN = "123456789:" + "A" * 35


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        STATE_DIR=str(tmp_path / "state"),
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


async def _limber(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=_env(tmp_path, **env),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, output.decode()


@asynccontextmanager
async def _running(
    tmp_path: Path, *args: str, **env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    log = open(tmp_path / "limber.log", "wb")  # noqa: SIM115 - closed below
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=_env(tmp_path, **env),
        cwd=tmp_path,
        stdout=log,
        stderr=log,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


async def test_without_a_token_limber_run_explains_how_to_get_one(tmp_path: Path) -> None:
    status, output = await _limber(tmp_path, "run")
    assert status == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in output
    assert "@BotFather" in output
    assert "Traceback" not in output


async def test_a_malformed_token_is_refused_before_any_network_call(tmp_path: Path) -> None:
    status, output = await _limber(tmp_path, "run", TELEGRAM_BOT_TOKEN="12345:short")
    assert status == 2
    assert "does not look like a bot token" in output
    assert "12345:short" not in output
    assert "Traceback" not in output


async def test_a_token_telegram_rejects_exits_with_2_and_never_shows_the_token(
    tmp_path: Path,
) -> None:
    wrong = "987654321:" + "Z" * 35
    async with FakeBotApi(token=GOOD_TOKEN) as api:
        status, output = await _limber(
            tmp_path, "run", TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=api.url
        )
    assert status == 2
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in output
    assert wrong not in output and "Z" * 35 not in output
    assert "Traceback" not in output


async def test_a_wrong_setting_names_the_setting(tmp_path: Path) -> None:
    status, output = await _limber(tmp_path, "run", NUDGE_TICK_SECONDS="often")
    assert status == 2
    assert "NUDGE_TICK_SECONDS" in output
    status, output = await _limber(tmp_path, "migrate", DATABASE_URL="mysql://x/y")
    assert status == 2
    assert "DATABASE_URL" in output and "unknown database scheme" in output


async def test_limber_migrate_creates_the_database(tmp_path: Path) -> None:
    status, output = await _limber(tmp_path, "migrate")
    assert status == 0, output
    assert (tmp_path / "run.db").exists()


async def test_limber_run_polls_migrates_and_answers_with_one_log_line_per_update(
    tmp_path: Path,
) -> None:
    async with FakeBotApi(token=GOOD_TOKEN) as api:
        async with _running(
            tmp_path, "run", TELEGRAM_BOT_TOKEN=GOOD_TOKEN, TELEGRAM_API_BASE_URL=api.url
        ):
            await api.wait_for_call("getUpdates", timeout=30)
            api.user_sends("/start", user_id=4242)
            await api.wait_for(lambda: any(m.from_bot for m in api.messages(4242)), timeout=30)
        log = (tmp_path / "limber.log").read_text()
    assert "Database upgraded to revision" in log
    assert "update user=4242 /start" in log
    assert GOOD_TOKEN not in log
    assert "A" * 35 not in log


async def test_the_webhook_refuses_requests_without_the_secret(tmp_path: Path) -> None:
    port = _free_port()
    secret = "s3cret-token_42"
    async with (
        FakeBotApi(token=GOOD_TOKEN) as api,
        _running(
            tmp_path,
            "run",
            "--webhook",
            TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
            TELEGRAM_API_BASE_URL=api.url,
            WEBHOOK_URL=f"http://127.0.0.1:{port}/limber-hook",
            WEBHOOK_SECRET=secret,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        ),
    ):
        await api.wait_for_call("setWebhook", timeout=30)
        assert api.webhook_secret == secret
        url = f"http://127.0.0.1:{port}/limber-hook"
        # The server may still be binding just after setWebhook: retry briefly.
        for _ in range(50):
            try:
                forged = api.user_sends("/start", user_id=5151, enqueue=False)
                no_secret = await api.post_webhook(url, forged, secret=None)
                break
            except OSError:
                await asyncio.sleep(0.1)
        wrong = await api.post_webhook(url, forged, secret="guess")
        assert (no_secret, wrong) == (403, 403)
        assert not any(m.from_bot for m in api.messages(5151))

        real = api.user_sends("/start", user_id=5151, enqueue=False)
        assert await api.post_webhook(url, real, secret=secret) == 200
        await api.wait_for(lambda: any(m.from_bot for m in api.messages(5151)), timeout=30)


async def test_limber_console_talks_to_the_real_handlers_without_a_token(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "console",
        env=_env(tmp_path),
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    script = b"/start\n1\n/pose chlid pose\n/caution knee\n/quit\n"
    output, _ = await asyncio.wait_for(process.communicate(script), timeout=60)
    text = output.decode()
    assert process.returncode == 0, text
    assert "I'm Limber" in text
    assert "[1] I understand" in text
    assert "(you pressed I understand)" in text
    assert "1/5 · Your time zone" in text
    assert "Child" in text
    assert "Noted: Knee" in text
    # The console keeps its own database, apart from the bot's.
    assert (tmp_path / "state" / "console.db").exists()
    assert not (tmp_path / "run.db").exists()
