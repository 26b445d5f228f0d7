// A plan input that passes the schema but cannot be planned: an unknown host or group, a duplicate
// id, a dependency cycle, an unknown time zone. `path` is the JSON pointer of the offending value
// (e.g. `/groups/3/dependsOn/0`), so `afterpatch plan` can say exactly where (exit 65).
export class PlanInputError extends Error {
  override readonly name = 'PlanInputError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}
