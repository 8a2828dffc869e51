/** The QA app shows the seeded scorecard in the UI's language: every seeded text has a key, and both languages have it. */
import { describe, expect, it } from 'vitest';
import { en } from '../qa-player/src/locales/en.ts';
import { zhCN } from '../qa-player/src/locales/zh-CN.ts';
import { SEEDED_TEXT_KEYS } from '../qa-player/src/lib/seeded-text.ts';
import { defaultScorecard } from '../server/qa/scorecards/default-scorecard.ts';

describe('the seeded scorecard in the QA app', () => {
  it('has a translation for each of its texts, in English equal to the seeded text', () => {
    const card = defaultScorecard();
    const texts = [card.name, card.description ?? '', ...card.sections.flatMap((s) => [s.title, ...s.questions.flatMap((q) => [q.text, ...(q.help ? [q.help] : [])])])];
    for (const text of texts) {
      const key = SEEDED_TEXT_KEYS[text];
      expect(key, text).toBeDefined();
      expect((en as Record<string, string>)[key!], text).toBe(text);
      expect((zhCN as Record<string, string>)[key!], text).toMatch(/\p{Script=Han}/u);
    }
  });
});
