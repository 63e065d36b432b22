"""``python -m sandbox [--port N]``: the sandbox Bot API alone (benchmarks, manual testing)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from sandbox.server import DEFAULT_TOKEN, start_sandbox


async def _main(port: int) -> None:
    _sandbox, runner, real_port = await start_sandbox("127.0.0.1", port, token=DEFAULT_TOKEN)
    print(f"SANDBOX_PORT={real_port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    args = parser.parse_args()
    asyncio.run(_main(args.port))


if __name__ == "__main__":
    main()
