/**
 * The lint config holds what the README promises: each rule is shown failing on a planted
 * violation (folder direction, product code importing test/, an import cycle) and passing on
 * the allowed form.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const planted: string[] = [];
afterAll(() => {
  for (const dir of planted) rmSync(dir, { recursive: true, force: true });
});

/** Writes files under `<zone>/lint-planted-<pid>/` and returns the rule ids ESLint reports per file. */
async function lint(zone: string, files: Record<string, string>): Promise<Record<string, string[]>> {
  const dir = join(ROOT, zone, `lint-planted-${process.pid}`);
  planted.push(dir);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const eslint = new ESLint({ cwd: ROOT });
  const results = await eslint.lintFiles(Object.keys(files).map((f) => join(dir, f)));
  return Object.fromEntries(
    results.map((r) => [r.filePath.slice(dir.length + 1), r.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`)]),
  );
}

describe('lint config', () => {
  it('enforces folder directions', async () => {
    const r = await lint('ingest', {
      'bad.ts': "import { LiveEngine } from '../../server/live/engine.ts';\nexport const x: unknown = LiveEngine;\n",
      'good.ts': "import { TABLES } from '../../schemas/tables.ts';\nexport const y = TABLES.events;\n",
    });
    expect(r['bad.ts']).toEqual([expect.stringMatching(/^callboard\/folder-directions: ingest\/ may not import server\//) as string]);
    expect(r['good.ts']).toEqual([]);
  });

  it('keeps test/ out of product code, and allows it in tests beside the code', async () => {
    const r = await lint('platform', {
      'uses-helper.ts': "import { callFlow } from '../../test/helpers/events.ts';\nexport const z = callFlow;\n",
      'uses-helper.test.ts': "import { callFlow } from '../../test/helpers/events.ts';\nexport const z = callFlow;\n",
    });
    expect(r['uses-helper.ts']).toEqual([expect.stringMatching(/^callboard\/folder-directions: product code in platform\/ may not import test\//) as string]);
    expect(r['uses-helper.test.ts']).toEqual([]);
  });

  it('fails on a runtime import cycle; a type-only import closes none (it is erased at run time)', async () => {
    const r = await lint('staffing', {
      'a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { c } from './c.ts';\nexport const b = (): number => c;\n",
      'c.ts': "import { a } from './a.ts';\nexport const c = 1;\nexport const ca = a;\n",
      'd.ts': "import type { E } from './e.ts';\nexport type D = E | number;\n",
      'e.ts': "import type { D } from './d.ts';\nexport type E = D[];\n",
    });
    for (const f of ['a.ts', 'b.ts', 'c.ts']) expect(r[f], f).toEqual([expect.stringMatching(/^import-x\/no-cycle: Dependency cycle/) as string]);
    expect(r['d.ts']).toEqual([]);
  });
});
