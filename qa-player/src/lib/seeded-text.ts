/**
 * The seeded "Front-line quality check" scorecard (server/qa/scorecards/default-scorecard.ts) is
 * written in English; until someone edits a text, the app shows it in the UI's language. A text
 * is translated only while it is exactly the seeded English, so an edited text shows as written.
 */
export const SEEDED_TEXT_KEYS: Readonly<Record<string, string>> = {
  'Front-line quality check': 'seeded.card',
  'Errors in business knowledge, professional knowledge and service attitude (minor, general, severe), and scores for service language, operation and answering.': 'seeded.cardDescription',
  'Business knowledge': 'seeded.businessKnowledge',
  'Professional knowledge': 'seeded.professionalKnowledge',
  'Service attitude': 'seeded.serviceAttitude',
  'Service language': 'seeded.serviceLanguage',
  Operation: 'seeded.operation',
  Answering: 'seeded.answering',
  'Minor errors': 'seeded.minor',
  'General errors': 'seeded.general',
  'Severe errors': 'seeded.severe',
  'Each minor error takes 2 points off.': 'seeded.minorHelp',
  'Each general error takes 5 points off.': 'seeded.generalHelp',
  'Any severe error fails the whole evaluation; describe it in a comment.': 'seeded.severeHelp',
  'Used the greeting and closing script': 'seeded.script',
  'Courteous, clear language': 'seeded.courteous',
  'Operated the system correctly': 'seeded.system',
  'Accurate, complete call notes': 'seeded.notes',
  'Answered promptly': 'seeded.prompt',
  "Verified the caller's identity": 'seeded.identity',
  "Resolved the caller's question": 'seeded.resolved',
};
