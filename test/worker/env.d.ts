/** Fixture files imported as their exact text (`?raw`), so signatures over their bytes hold. */
declare module "*?raw" {
  const text: string;
  export default text;
}
