#!/usr/bin/env python3
"""Send one realistic call and the agent's states to callboard over HTTP (POST /v1/events).

Standard library only, Python 3.9 or newer:

    python3 send_events.py --url http://localhost:8080 --key INGEST_KEY [--start 2026-11-30T09:00:00Z]

What it shows an integrator:
- events go in batches (a JSON array per request);
- every event has an id that is stable: a batch sent again after a timeout or a retryable
  error carries the same ids, and the server stores each event once (it counts the resent
  ones as `duplicates`);
- an error answer says whether resending can help (`retry`, and `retry_after` seconds or the
  `Retry-After` header): resend the same batch after that wait, or with exponential back-off
  when the server gave no wait; when `retry` is false, stop: resending cannot succeed;
- the 200 answer counts accepted (new), duplicates and rejected events, and lists the rejected
  ones with their `code` and `error`.

Servers older than the error contract answer without `code`/`retry`: an error with a wait
(`Retry-After`) is retryable then, one without is not.

Exit code: 0 all events stored, 1 some events rejected (listed), 2 a permanent error, or
still refused after --max-attempts.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional


class PermanentError(Exception):
    """The server refused a batch and resending it cannot help."""


def example_call(start_ms: int, site: str = "berlin") -> List[Dict[str, Any]]:
    """Login, one call answered with a hold, after-call work, ready again."""
    call = f"example-call-{start_ms}"
    agent = "agent-1042"
    queue = "support"

    def at(seconds: int) -> int:
        return start_ms + seconds * 1000

    events: List[Dict[str, Any]] = [
        {"type": "agent.state", "ts": at(0), "agent": agent, "state": "available", "queues": [queue]},
        {"type": "call.offered", "ts": at(60), "call": call, "direction": "inbound", "from": "+4930901820", "to": "+498001234567"},
        {"type": "call.ivr", "ts": at(62), "call": call, "node": "main-menu", "input": "2"},
        {"type": "call.queued", "ts": at(70), "call": call, "queue": queue, "priority": 0},
        {"type": "call.ringing", "ts": at(95), "call": call, "queue": queue, "agent": agent},
        {"type": "agent.state", "ts": at(95), "agent": agent, "state": "ringing"},
        {"type": "call.answered", "ts": at(101), "call": call, "queue": queue, "agent": agent},
        {"type": "agent.state", "ts": at(101), "agent": agent, "state": "on_call"},
        {"type": "call.hold", "ts": at(160), "call": call, "agent": agent},
        {"type": "call.unhold", "ts": at(205), "call": call, "agent": agent},
        {"type": "call.ended", "ts": at(340), "call": call, "by": "caller"},
        {"type": "agent.state", "ts": at(340), "agent": agent, "state": "acw"},
        {"type": "call.wrapup", "ts": at(385), "call": call, "agent": agent, "code": "resolved"},
        {"type": "agent.state", "ts": at(385), "agent": agent, "state": "available"},
    ]
    # Ids are unique per source and derived from the data, so a resend carries the same ids.
    for n, event in enumerate(events, start=1):
        event["id"] = f"{call}-{n}"
        event["site"] = site
    return events


def post_batch(url: str, key: str, batch: List[Dict[str, Any]], max_attempts: int) -> Dict[str, Any]:
    """POSTs one batch until the server answers 200; resends the same bytes while the error is retryable."""
    body = json.dumps(batch).encode("utf-8")
    for attempt in range(1, max_attempts + 1):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            answer = read_error(err)
            code = answer.get("code", f"http_{err.code}")
            retry_after = answer.get("retry_after")
            if retry_after is None and err.headers.get("Retry-After") is not None:
                retry_after = float(err.headers["Retry-After"])
            retryable = answer["retry"] if isinstance(answer.get("retry"), bool) else retry_after is not None
            if not retryable:
                limit = f" (limit {answer['limit']})" if "limit" in answer else ""
                raise PermanentError(f"{code}: {answer.get('error', err.reason)}{limit}")
            problem = f"{code}: {answer.get('error', err.reason)}"
            wait = float(retry_after) if retry_after is not None else backoff(attempt)
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as err:
            # No answer at all: the batch may or may not be stored; resending it is safe (same ids).
            problem = f"no answer ({getattr(err, 'reason', err)})"
            wait = backoff(attempt)
        if attempt == max_attempts:
            raise PermanentError(f"{problem}; gave up after {max_attempts} attempts")
        print(f"  {problem}; resending in {wait:.1f} s (attempt {attempt} of {max_attempts})")
        time.sleep(wait)
    raise AssertionError("unreachable")


def read_error(err: urllib.error.HTTPError) -> Dict[str, Any]:
    """The JSON body of an error answer, `{error, code, retry, retry_after?, limit?}`; {} when it is not JSON."""
    try:
        answer = json.loads(err.read().decode("utf-8"))
        return answer if isinstance(answer, dict) else {}
    except (ValueError, OSError):
        return {}


def backoff(attempt: int) -> float:
    """Exponential back-off with jitter: about 0.5, 1, 2, 4 … seconds, at most 30."""
    return min(30.0, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def parse_start(value: Optional[str]) -> int:
    if value is None:
        # The last full hour: events in the past, and the same ids for runs within the hour.
        now = int(time.time() * 1000)
        return now - now % 3_600_000 - 3_600_000
    if value.isdigit():
        return int(value)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("--start: needs an offset, e.g. 2026-11-30T09:00:00Z")
    return int(parsed.astimezone(timezone.utc).timestamp() * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://localhost:8080")
    parser.add_argument("--key", required=True, help="an API key with the ingest permission")
    parser.add_argument("--start", help="when the agent logs in: ISO-8601 with offset or epoch ms (default: the last full hour)")
    parser.add_argument("--batch-size", type=int, default=500, help="events per request (default 500)")
    parser.add_argument("--max-attempts", type=int, default=8, help="tries per batch while the errors are retryable (default 8)")
    args = parser.parse_args()
    if args.batch_size < 1:
        parser.error(f"--batch-size: must be at least 1 (got {args.batch_size})")
    if args.max_attempts < 1:
        parser.error(f"--max-attempts: must be at least 1 (got {args.max_attempts})")

    url = args.url.rstrip("/")
    if not url.endswith("/v1/events"):
        url += "/v1/events"
    try:
        events = example_call(parse_start(args.start))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    totals = {"accepted": 0, "duplicates": 0, "conflicts": 0, "rejected": 0}
    for offset in range(0, len(events), args.batch_size):
        batch = events[offset : offset + args.batch_size]
        try:
            answer = post_batch(url, args.key, batch, args.max_attempts)
        except PermanentError as err:
            print(f"batch of {len(batch)} events refused, not resending: {err}", file=sys.stderr)
            return 2
        totals["accepted"] += answer["accepted"]
        totals["duplicates"] += answer.get("duplicates", 0)  # absent before the error contract
        totals["conflicts"] += answer.get("conflicts", 0)
        totals["rejected"] += answer.get("rejected_count", len(answer["rejected"]))
        for rejection in answer["rejected"]:
            event = batch[rejection["index"]]
            print(f"  rejected {event['id']} ({rejection.get('code', 'invalid_event')}): {rejection['error']}")

    print(
        f"sent {len(events)} events: accepted {totals['accepted']}, duplicates {totals['duplicates']}, "
        f"conflicts {totals['conflicts']}, rejected {totals['rejected']}"
    )
    return 1 if totals["rejected"] > 0 else 0


if __name__ == "__main__":
    sys.exit(main())
