/** Lane and pin colours (UX.md §4: Okabe-Ito agent blue over customer orange; unplayed at 45% alpha). */
export type Lane = 'agent' | 'customer' | 'mixed';

export const LANE_COLOURS: Record<Lane, { played: string; unplayed: string }> = {
  agent: { played: '#56B4E9', unplayed: 'rgba(86, 180, 233, 0.45)' },
  customer: { played: '#E69F00', unplayed: 'rgba(230, 159, 0, 0.45)' },
  mixed: { played: '#A9B4C0', unplayed: 'rgba(169, 180, 192, 0.45)' },
};

/** Comment pins: evaluator pins bluish green, agent pins reddish purple (Okabe-Ito). */
export const PIN_COLOURS: Record<'evaluator' | 'agent', string> = {
  evaluator: '#009E73',
  agent: '#CC79A7',
};
