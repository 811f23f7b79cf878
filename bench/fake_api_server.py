"""FakeBotApi in a process of its own, so Telegram's side does not share the bot's event loop.

Prints one JSON line with its URLs, then answers commands on stdin, one per line:
``stats`` (a JSON line with call counts), ``clear`` (forget calls and chats), ``quit``.
Started by :class:`bench.common.FakeApiProcess`; only listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import sys

from bot.console.fake_bot_api import FakeBotApi


def _stats(api: FakeBotApi) -> dict[str, int]:
    sends = [call for call in api.calls if call.method == "sendMessage"]
    return {
        "calls": len(api.calls),
        "sendMessage": sum(not call.failed for call in sends),
        "sendMessage_failed": sum(call.failed for call in sends),
        "chats": len({call.chat_id for call in sends}),
        "errors": len(api.errors),
    }


async def main() -> None:
    loop = asyncio.get_running_loop()
    async with FakeBotApi() as api:
        hello = {"base_url": api.base_url, "base_file_url": api.base_file_url, "token": api.token}
        print(json.dumps(hello), flush=True)
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            command = line.strip()
            if command in {"", "quit"}:
                return
            if command == "stats":
                print(json.dumps(_stats(api)), flush=True)
            elif command == "clear":
                api.calls.clear()
                api._chats.clear()  # the chats of a million people are the fake's memory
                print("{}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
