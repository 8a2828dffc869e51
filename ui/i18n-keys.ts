/** Dictionary completeness (the dev-mode check and the tests). */
export function missingKeys<L extends string>(dicts: Record<L, Record<string, string>>): { locale: L; key: string }[] {
  const locales = Object.keys(dicts) as L[];
  const all = new Set<string>();
  for (const l of locales) for (const k of Object.keys(dicts[l])) all.add(k);
  const out: { locale: L; key: string }[] = [];
  for (const l of locales) for (const k of all) if (!(k in dicts[l])) out.push({ locale: l, key: k });
  return out;
}
