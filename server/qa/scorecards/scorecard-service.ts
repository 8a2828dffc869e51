/**
 * Scorecards: append-only versions in qa_scorecards (current = highest version per id). Every
 * edit is a new version; evaluations keep the version they were scored on, so a version once
 * written never changes and is cached here.
 */
import type { Store } from '../../../platform/store/store.ts';
import type { Scorecard, ScorecardInput, Section } from '../../../schemas/qa.ts';
import { TABLES } from '../../../schemas/tables.ts';
import type { AuditFn } from '../deps.ts';
import { newId, QaInputError, Serial } from '../evaluations/qa-input-error.ts';
import { DEFAULT_SCORECARD_ID, defaultScorecard, SEEDED_BY } from './default-scorecard.ts';
import { latestScorecards, type ScorecardRow } from './queries/latest-scorecards.ts';
import { scorecardVersions } from './queries/scorecard-versions.ts';
import { validateScorecard } from './validate-scorecard.ts';

export class ScorecardService {
  /** `id@version` → that version (immutable) */
  private readonly versions = new Map<string, Scorecard>();
  private readonly writes = new Serial();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditFn,
    private readonly now: () => number = Date.now,
  ) {}

  /** On first run (no scorecard at all) writes the default "Front-line quality check". */
  async seed(): Promise<void> {
    if ((await latestScorecards(this.store)).length > 0) return;
    await this.write(DEFAULT_SCORECARD_ID, 1, defaultScorecard(), SEEDED_BY, 'qa_scorecard_created');
  }

  /** The current versions, by name; archived ones only when asked. */
  async list(includeArchived: boolean): Promise<Scorecard[]> {
    const rows = (await latestScorecards(this.store)).map(fromRow);
    return rows.filter((s) => includeArchived || !s.archived).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /** The current version of `id`, or undefined. */
  async current(id: string): Promise<Scorecard | undefined> {
    const rows = await scorecardVersions(this.store, [id]);
    for (const r of rows) this.remember(fromRow(r));
    const last = rows.at(-1);
    return last ? fromRow(last) : undefined;
  }

  /** A version of `id` (cached: versions never change), or undefined. */
  async version(id: string, version: number): Promise<Scorecard | undefined> {
    const key = `${id}@${version}`;
    if (!this.versions.has(key)) for (const r of await scorecardVersions(this.store, [id])) this.remember(fromRow(r));
    return this.versions.get(key);
  }

  /** Loads the versions named (one query for the ones not cached). */
  async versionsOf(refs: readonly { scorecard: string; scorecard_version: number }[]): Promise<Map<string, Scorecard>> {
    const missing = [...new Set(refs.filter((r) => !this.versions.has(`${r.scorecard}@${r.scorecard_version}`)).map((r) => r.scorecard))];
    if (missing.length > 0) for (const r of await scorecardVersions(this.store, missing)) this.remember(fromRow(r));
    return this.versions;
  }

  async create(input: ScorecardInput, by: string): Promise<Scorecard> {
    validateScorecard(input);
    return this.writes.run(() => this.write(newId(), 1, input, by, 'qa_scorecard_created'));
  }

  async update(id: string, input: ScorecardInput, by: string): Promise<Scorecard> {
    validateScorecard(input);
    return this.writes.run(async () => {
      const cur = await this.current(id);
      if (!cur) throw new QaInputError(`scorecard: no scorecard ${JSON.stringify(id)}`, 404);
      return this.write(id, cur.version + 1, input, by, 'qa_scorecard_saved');
    });
  }

  private async write(id: string, version: number, input: ScorecardInput, by: string, action: string): Promise<Scorecard> {
    const card: Scorecard = {
      id,
      name: input.name,
      description: input.description ?? '',
      sections: input.sections,
      pass_mark: input.pass_mark,
      archived: input.archived ?? false,
      version,
      updated_at: this.now(),
      updated_by: by,
    };
    await this.store.insertRows(TABLES.qaScorecards, [
      {
        id,
        name: card.name,
        description: card.description ?? '',
        sections: JSON.stringify(card.sections),
        pass_mark: card.pass_mark,
        archived: card.archived ? 1 : 0,
        version,
        updated_at: card.updated_at,
        updated_by: by,
      },
    ]);
    this.remember(card);
    const questions = card.sections.reduce((n, s) => n + s.questions.length, 0);
    await this.audit(by, action, id, `version ${version}; ${JSON.stringify(card.name)}; ${card.sections.length} sections, ${questions} questions; pass_mark ${card.pass_mark}${card.archived ? '; archived' : ''}`);
    return card;
  }

  private remember(card: Scorecard): void {
    this.versions.set(`${card.id}@${card.version}`, card);
  }
}

function fromRow(r: ScorecardRow): Scorecard {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    sections: JSON.parse(r.sections) as Section[],
    pass_mark: Number(r.pass_mark),
    archived: Number(r.archived) === 1,
    version: Number(r.version),
    updated_at: Number(r.updated_at),
    updated_by: r.updated_by,
  };
}
