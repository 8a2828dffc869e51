/**
 * One evaluation being read or scored: the scorecard version it was scored on, the answers,
 * the running score from the one scoring formula (schemas/qa-score.ts), autosave of drafts
 * every 10 s, and the lifecycle actions (submit, acknowledge, dispute, re-score, uphold).
 */
import { ApiError } from '$ui/api.ts';
import { earnedPoints, scoreEvaluation, type ScoreResult } from '../../../schemas/qa-score.ts';
import type { Answer, Evaluation, EvaluationAction, Question, Scorecard } from '../../../schemas/qa.ts';
import { evaluation as loadEvaluation, evaluationAction, saveAnswers, scorecard as loadScorecard } from './qa-api.ts';

export const AUTOSAVE_MS = 10_000;

export class EvaluationEditor {
  evaluation = $state<Evaluation | null>(null);
  card = $state<Scorecard | null>(null);
  answers = $state<Record<string, Answer>>({});
  comment = $state('');
  saving = $state(false);
  savedAt = $state<number | null>(null);
  error = $state<string | null>(null);
  #dirty = false;
  #timer: ReturnType<typeof setInterval> | null = null;

  readonly score: ScoreResult = $derived(scoreEvaluation(this.card?.sections ?? [], this.answers));

  /** questions answered "missed" (no / zero / errors) that need a comment and have none */
  readonly missingComments: string[] = $derived.by(() => {
    const out: string[] = [];
    for (const s of this.card?.sections ?? [])
      for (const q of s.questions) {
        const a = this.answers[q.id];
        if (q.comment_required && a && !a.na && a.value !== null && isMiss(q, a.value) && !a.comment?.trim()) out.push(q.id);
      }
    return out;
  });

  get canSubmit(): boolean {
    return !!this.card && this.score.unanswered.length === 0 && this.missingComments.length === 0;
  }

  async load(id: string): Promise<void> {
    const ev = await loadEvaluation(id);
    const card = await loadScorecard(ev.scorecard, ev.scorecard_version);
    this.card = card;
    this.#take(ev);
  }

  #take(ev: Evaluation): void {
    this.evaluation = ev;
    this.answers = JSON.parse(JSON.stringify(ev.answers ?? {})) as Record<string, Answer>;
    this.comment = ev.comment ?? '';
    this.#dirty = false;
  }

  setAnswer(q: string, patch: Partial<Answer>): void {
    const prev = this.answers[q] ?? { value: null };
    this.answers[q] = { ...prev, ...patch };
    this.#dirty = true;
  }

  clearAnswer(q: string): void {
    delete this.answers[q];
    this.#dirty = true;
  }

  setComment(text: string): void {
    this.comment = text;
    this.#dirty = true;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /** Saves the answers when they changed (autosave, and before every action). */
  async save(): Promise<void> {
    const ev = this.evaluation;
    if (!ev || !this.#dirty || this.saving) return;
    this.saving = true;
    this.#dirty = false;
    try {
      const saved = await saveAnswers(ev.id, $state.snapshot(this.answers), this.comment);
      if (saved && typeof saved === 'object' && 'id' in saved) this.evaluation = { ...ev, ...saved, history: saved.history ?? ev.history };
      this.savedAt = Date.now();
      this.error = null;
    } catch (err) {
      this.#dirty = true;
      this.error = err instanceof ApiError ? err.reason : String(err);
    } finally {
      this.saving = false;
    }
  }

  startAutosave(): void {
    this.stopAutosave();
    this.#timer = setInterval(() => void this.save(), AUTOSAVE_MS);
  }

  stopAutosave(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Runs a lifecycle action (saving first), then reloads the evaluation with its history. */
  async act(action: EvaluationAction, extra: { comment?: string; reviewed?: boolean } = {}): Promise<boolean> {
    const ev = this.evaluation;
    if (!ev) return false;
    this.error = null;
    try {
      if (action === 'submit' || action === 'rescore') {
        this.#dirty = true;
        await this.save();
        if (this.error) return false;
      }
      await evaluationAction(ev.id, action, extra);
      this.#take(await loadEvaluation(ev.id));
      return true;
    } catch (err) {
      this.error = err instanceof ApiError ? err.reason : String(err);
      return false;
    }
  }
}

/** A missed answer (the formula's critical-miss rule): an errors count ≥ 1, or nothing earned. */
function isMiss(q: Question, v: number): boolean {
  return q.kind === 'errors' ? v >= 1 : earnedPoints(q, v) <= 0;
}
