"""Serve the public pages alone: `python -m adapters.web.public [--host 127.0.0.1] [--port PORT]`.

The `web` process serves them with the rest; this is for trying the pages, tests and benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import web

from adapters.bootstrap import bootstrap, configure_logging
from adapters.web.public import add_public_routes
from bot.settings import get_settings


async def serve(host: str, port: int) -> None:
    settings = get_settings()
    configure_logging(settings)
    app = await bootstrap(settings, wait_for_database=True)
    application = web.Application()
    add_public_routes(application, kb=app.kb, db=app.db, settings=settings)
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    print(f"public pages on http://{host}:{port}/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m adapters.web.public", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: PORT (8080)")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.host, args.port or get_settings().port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
