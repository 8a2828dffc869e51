import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIvrFlow } from '../ivr/flow.ts';
import { parseScenario } from '../sim/scenario.ts';
import { outputs } from './generate.ts';

const acd = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const shipped = [
  ...readdirSync(join(acd, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => ({ file: join(acd, 'scenarios', f), schema: 'scenario.schema.json' })),
  ...readdirSync(join(acd, 'ivr/flows')).filter((f) => f.endsWith('.json')).map((f) => ({ file: join(acd, 'ivr/flows', f), schema: 'ivr-flow.schema.json' })),
];

describe('published JSON Schemas of the config files', () => {
  it('are what the TypeBox sources produce (npm run schemas:generate)', () => {
    for (const [file, content] of outputs()) expect(readFileSync(file, 'utf8'), file).toBe(content);
  });

  it('are named by every shipped scenario and flow file, which they describe', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(3);
    for (const { file, schema } of shipped) {
      const json = read(file);
      expect(resolve(dirname(file), String(json['$schema'])), file).toBe(join(acd, 'schemas', schema));
    }
    // the readers accept the "$schema" property
    expect(() => parseIvrFlow(read(join(acd, 'ivr/flows/utility.json')))).not.toThrow();
    expect(() => parseScenario(read(join(acd, 'scenarios/mmc-example.json')))).not.toThrow();
  });

  it('carry the shape, ranges and names of the fields, without the readers’ private annotations', () => {
    const flow = read(join(acd, 'schemas/ivr-flow.schema.json'));
    expect(flow).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['name', 'start', 'nodes'], additionalProperties: false });
    const text = readFileSync(join(acd, 'schemas/scenario.schema.json'), 'utf8');
    expect(text).toContain('"ivr-flow"');
    expect(text).toContain('"$ref": "#/definitions/ivr-flow"');
    expect(text).toContain('"format": "date"');
    expect(text).not.toContain('callboard.acd.reasons');
  });
});
