/**
 * The QA app's pure parts (issue 9, part 3): its two dictionaries hold the same keys with
 * nothing left in English, the scoring formula's text is translated, the date presets follow
 * the locale's first day of the week (UX.md §5), and the player's time, score and number
 * formats.
 */
import { describe, expect, it } from 'vitest';
import { firstDayOfWeek, presetRange, rangeOf } from '../../qa-player/src/lib/dates.ts';
import { clockTime, formatScore, maskNumber } from '../../qa-player/src/lib/fmt.ts';
import { en } from '../../qa-player/src/locales/en.ts';
import { zhCN } from '../../qa-player/src/locales/zh-CN.ts';
import { SCORE_FORMULA_EN, SCORE_FORMULA_KEY } from '../../schemas/qa-score.ts';
import { shellEn } from '../../ui/messages.ts';

describe('QA app dictionaries', () => {
  it('English and Chinese have the same keys, none shadowing the shell, and no Chinese message is left in English', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(en).filter((k) => k in shellEn)).toEqual([]);
    const same = Object.entries(en).filter(([k, v]) => (zhCN as Record<string, string>)[k] === v && /[A-Za-z]{3,}/.test(v.replace(/\{\w+\}/g, '')));
    expect(same.map(([k]) => k)).toEqual([]);
  });

  it('translates the scoring formula shown next to the score', () => {
    expect((en as Record<string, string>)[SCORE_FORMULA_KEY]).toBe(SCORE_FORMULA_EN);
    expect((zhCN as Record<string, string>)[SCORE_FORMULA_KEY]).toMatch(/权重/);
  });
});

describe('date presets', () => {
  // Wednesday 2026-11-25, local time
  const now = new Date(2026, 10, 25, 15, 30);
  it('start the week on Monday in zh-CN and on Sunday in English', () => {
    expect(firstDayOfWeek('zh-CN')).toBe(1);
    expect(firstDayOfWeek('en-US')).toBe(7);
    expect(new Date(presetRange('thisWeek', 'zh-CN', now).from).getDate()).toBe(23);
    expect(new Date(presetRange('thisWeek', 'en-US', now).from).getDate()).toBe(22);
    const last = presetRange('lastWeek', 'zh-CN', now);
    expect([new Date(last.from).getDate(), new Date(last.to).getDate()]).toEqual([16, 23]);
  });

  it('cover whole days: today, last 7 days, last month; custom days are inclusive', () => {
    const today = presetRange('today', 'en', now);
    expect(today.to - today.from).toBe(86_400_000);
    const seven = presetRange('last7', 'en', now);
    expect(Math.round((seven.to - seven.from) / 86_400_000)).toBe(7);
    const month = presetRange('lastMonth', 'en', now);
    expect([new Date(month.from).getMonth(), new Date(month.to).getMonth()]).toEqual([9, 10]);
    const custom = rangeOf('custom', '2026-11-01', '2026-11-02', 'en', 'last7');
    expect(custom.preset).toBe('custom');
    expect(Math.round((custom.to - custom.from) / 86_400_000)).toBe(2);
    expect(rangeOf('bogus', null, null, 'en', 'last30').preset).toBe('last30');
  });
});

describe('player formats', () => {
  it('offsets are mm:ss, h:mm:ss from an hour, U+2212 before the recording', () => {
    expect(clockTime(0)).toBe('00:00');
    expect(clockTime(83.9)).toBe('01:23');
    expect(clockTime(3723)).toBe('1:02:03');
    expect(clockTime(-20.8)).toBe('−00:20');
    expect(clockTime(null)).toBe('—');
  });

  it('scores have one decimal in the UI locale; numbers are masked in the middle', () => {
    expect(formatScore(87.5, 'en')).toBe('87.5');
    expect(formatScore(100, 'zh-CN')).toBe('100.0');
    expect(formatScore(null, 'en')).toBe('—');
    expect(maskNumber('+4930123456')).toBe('+49****3456');
    expect(maskNumber('+49****3456')).toBe('+49****3456');
    expect(maskNumber('1234')).toBe('1234');
  });
});
