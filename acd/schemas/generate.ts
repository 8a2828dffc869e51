/**
 * Writes the JSON Schemas of the ACD's config files from their TypeBox sources:
 * `scenario.schema.json` (scenario.ts) and `ivr-flow.schema.json` (ivr-flow.ts), beside
 * this file. Editors validate and complete a scenario or flow file that names one in
 * `"$schema"`. `--check` fails when the committed files differ from what the sources
 * produce. Run by `npm run schemas:generate` and `npm run schemas:check`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Type } from '@sinclair/typebox';
import { IvrFlowSchema } from './ivr-flow.ts';
import { scenarioSchema } from './scenario.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const DRAFT = 'http://json-schema.org/draft-07/schema#';

function schemaFile(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** File → content of every generated schema. */
export function outputs(): Map<string, string> {
  const flow = Type.Union([
    Type.String({ minLength: 1, description: 'path of a flow file, relative to the scenario file' }),
    Type.Unsafe({ $ref: '#/definitions/ivr-flow' }),
  ]);
  return new Map([
    [join(here, 'ivr-flow.schema.json'), schemaFile({ $schema: DRAFT, ...IvrFlowSchema })],
    [join(here, 'scenario.schema.json'), schemaFile({ $schema: DRAFT, ...scenarioSchema(flow), definitions: { 'ivr-flow': IvrFlowSchema } })],
  ]);
}

function main(check: boolean): void {
  const drift: string[] = [];
  let written = 0;
  const expected = outputs();
  for (const [file, content] of expected) {
    if ((existsSync(file) ? readFileSync(file, 'utf8') : null) === content) continue;
    if (check) drift.push(file);
    else {
      writeFileSync(file, content);
      written++;
    }
  }
  if (drift.length) {
    console.error(`generated files out of date; run npm run schemas:generate:\n  ${drift.join('\n  ')}`);
    process.exit(1);
  }
  console.log(check ? 'acd schemas: generated files are up to date' : `acd schemas: ${written} of ${expected.size} generated files changed`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main(process.argv.includes('--check'));
