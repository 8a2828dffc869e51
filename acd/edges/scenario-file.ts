/**
 * Reads a scenario file. An IVR flow may be given inline or as the path of a
 * flow file (relative to the scenario file), so flows are shared, not copied.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseScenario, ScenarioError, type Scenario } from '../sim/scenario.ts';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** Loads, resolves flow files of, and checks a scenario. @throws Error naming the file and every bad JSON path */
export function loadScenario(path: string): Scenario {
  const json = readJson(path);
  const ivr = (json as { ivr?: unknown } | null)?.ivr;
  if (typeof ivr === 'object' && ivr !== null && !Array.isArray(ivr)) {
    for (const [name, flow] of Object.entries(ivr as Record<string, unknown>)) {
      if (typeof flow === 'string') (ivr as Record<string, unknown>)[name] = readJson(resolve(dirname(path), flow));
    }
  }
  try {
    return parseScenario(json);
  } catch (err) {
    if (err instanceof ScenarioError) throw new Error(`${path}: ${err.message}`);
    throw err;
  }
}
