// Svelte 5 compiles TypeScript in components natively: no preprocessor needed.
export default {};
