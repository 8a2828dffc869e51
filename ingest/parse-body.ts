/** Parses an HTTP ingest body: a JSON array of events, or NDJSON (one event per line). */
export function parseEventsBody(body: string): unknown[] {
  const text = body.trim();
  if (text.length === 0) return [];
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new SyntaxError(`body is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new SyntaxError('body must be a JSON array of events or NDJSON');
    return parsed;
  }
  const events: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    try {
      events.push(JSON.parse(line));
    } catch (err) {
      throw new SyntaxError(`line ${i + 1} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return events;
}
