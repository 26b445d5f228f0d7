// Schemas shared by several routes (TypeBox, so each is both a JSON Schema for validation and
// OpenAPI, and a static type). What the UI and the CLI read too is in shared/api/.
import Type from 'typebox';

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const RoleSchema = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('operator'),
  Type.Literal('admin'),
]);

/** The error answers a route can give, for OpenAPI. */
export function errors(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const PageSize = Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE });

/** ISO string or null from a Date or null. */
export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}
