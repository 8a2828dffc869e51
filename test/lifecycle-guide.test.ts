/**
 * The event lifecycle guide (docs/lifecycle.md): it is what the generator makes of the simulator
 * now, every example in it is a valid feed that the feed checker passes, and each call path the
 * guide promises has its section with an example that really takes that path.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../schemas/events.ts';
import { auditFeed } from '../schemas/feed-audit/index.ts';
import { SIMULATED_TIME_LIMITS, validateEvent } from '../schemas/validate.ts';
import { buildGuide, DIRECT_OUTBOUND, DIRECT_TITLE, GUIDE_PATH, PATHS, queueSitesOf, takesPath, type GuideRun } from '../scripts/lifecycle-guide.ts';

/** The feed checker's (`auditFeed`: `npm run check-feed`, the dry run) errors and warnings, as `code: message`. */
function feedProblems(events: readonly CallboardEvent[]): string[] {
  return auditFeed(events)
    .problems.filter((p) => p.severity !== 'info')
    .flatMap((p) => p.examples.map((e) => `${p.severity} ${p.code}: ${e.message}`));
}

interface Block {
  /** the `### n. title` heading the block is under */
  heading: string;
  lines: string[];
}

/** Every ```ndjson block of the guide, with the section heading above it. */
function ndjsonBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let current: Block | null = null;
  for (const line of markdown.split('\n')) {
    if (current) {
      if (line === '```') {
        blocks.push(current);
        current = null;
      } else {
        current.lines.push(line);
      }
    } else if (line.startsWith('### ')) {
      heading = line.slice(4);
    } else if (line === '```ndjson') {
      current = { heading, lines: [] };
    }
  }
  return blocks;
}

function parseBlock(block: Block): CallboardEvent[] {
  return block.lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`${block.heading}, line ${i + 1}: not JSON (${String(err)})`);
    }
    const r = validateEvent(value, SIMULATED_TIME_LIMITS);
    if (!r.ok) throw new Error(`${block.heading}, line ${i + 1}: ${r.error}`);
    return r.event.event;
  });
}

const committed = readFileSync(GUIDE_PATH, 'utf8');
let generated: { markdown: string; run: GuideRun };

beforeAll(() => {
  generated = buildGuide();
});

describe('docs/lifecycle.md', () => {
  it('is what `npm run docs:lifecycle` generates from the simulator now', () => {
    expect(committed).toBe(generated.markdown);
  });

  it('has a section with one example for every call path, the hand-written one last', () => {
    const blocks = ndjsonBlocks(committed);
    const titles = [...PATHS.map((p) => p.title), DIRECT_TITLE];
    expect(blocks.map((b) => b.heading)).toEqual(titles.map((t, i) => `${i + 1}. ${t}`));
  });

  it('every example parses as NDJSON and validates against contract v1', () => {
    const blocks = ndjsonBlocks(committed);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const events = parseBlock(block);
      expect(events.length, block.heading).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.id)).size, `${block.heading}: ids are unique`).toBe(events.length);
    }
  });

  it('every example passes the feed checker with no error and no warning', () => {
    for (const block of ndjsonBlocks(committed)) {
      const events = parseBlock(block);
      expect(feedProblems(events), block.heading).toEqual([]);
      const result = auditFeed(events);
      expect(result.status, block.heading).toBe('ok');
      expect(result.open_calls, block.heading).toBe(0);
    }
  });

  it('each generated example takes the path its section is about', () => {
    const sites = queueSitesOf(generated.run.scenario);
    const blocks = ndjsonBlocks(committed);
    PATHS.forEach((path, i) => {
      const events = parseBlock(blocks[i] as Block);
      expect(takesPath(path, events, sites), path.title).toBe(true);
      // …and not the path of another section (the sections show different things).
      for (const other of PATHS) if (other !== path && other.key !== 'outbound' && path.key !== 'outbound') expect(takesPath(other, events, sites), `${path.title} as ${other.title}`).toBe(false);
    });
  });

  it('the transfer examples keep one call id across the transfer', () => {
    const blocks = ndjsonBlocks(committed);
    for (const key of ['blind-transfer', 'attended-transfer']) {
      const i = PATHS.findIndex((p) => p.key === key);
      const events = parseBlock(blocks[i] as Block);
      const calls = new Set(events.flatMap((e) => (e.type === 'agent.state' ? [] : [e.call])));
      expect(calls.size, key).toBe(1);
      const agents = new Set(events.flatMap((e) => (e.type === 'call.answered' ? [e.agent] : [])));
      expect(agents.size, `${key}: answered by two agents`).toBe(2);
    }
  });

  it('the hand-written example is the one in the guide', () => {
    const block = ndjsonBlocks(committed).at(-1) as Block;
    expect(parseBlock(block)).toEqual(DIRECT_OUTBOUND);
  });

  it('the feed checker does catch a broken example (so a passing example means something)', () => {
    const events = parseBlock(ndjsonBlocks(committed)[0] as Block);
    const withoutAnswer = auditFeed(events.filter((e) => e.type !== 'call.answered'));
    expect(withoutAnswer.errors).toBeGreaterThan(0);
    const withoutEnd = auditFeed(events.filter((e) => e.type !== 'call.ended'));
    expect(withoutEnd.status).not.toBe('ok');
  });

  it('every link of the table of contents leads to a heading', () => {
    const anchors = new Set(
      committed
        .split('\n')
        .filter((l) => /^#{2,3} /.test(l))
        .map((l) =>
          l
            .replace(/^#+ /, '')
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, '')
            .replace(/ /g, '-'),
        ),
    );
    const links = [...committed.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(PATHS.length);
    for (const link of links) expect(anchors, link).toContain(link);
  });
});
