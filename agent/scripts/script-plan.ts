// The contract between the language-specific parts of script finding and the walk that follows
// imports: each language says where a process starts (its script and preloaded modules), how to
// read imports out of a file's text and how to turn one import into files.

export interface ScriptFile {
  path: string;
  kind: 'script' | 'module';
}

export interface ScriptPlan<Ref> {
  /** Files loaded before any import is followed: the main script and preloaded modules. */
  entries: ScriptFile[];
  /** Code given on the command line (-c, -e): no file, but its imports are loaded. */
  inline?: { code: string; importer: string };
  /** Pure: the imports written in a source text. */
  extract(source: string): Ref[];
  /** Files one import loads; may update the plan's state (perl's `use lib`). */
  resolve(ref: Ref, importer: string): string[];
  /** Whether a file is source text to read imports from (not a compiled extension, JSON, zip). */
  parses(path: string): boolean;
}
