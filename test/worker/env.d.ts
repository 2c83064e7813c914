/** Fixture files imported as their exact text (`?raw`), so signatures over their bytes hold. */
declare module "*?raw" {
  const text: string;
  export default text;
}

/** Vite's glob import (used to read every fixture at once). */
interface ImportMeta {
  glob<T = unknown>(pattern: string, options: { query?: string; import?: string; eager: true }): Record<string, T>;
}
