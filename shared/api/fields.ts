// The field schemas the REST API's answers are built from (TypeBox: JSON Schema for the server's
// validation, serialization and OpenAPI, and a static type for the UI and the CLI). The server's
// request schemas use them too.
import Type from 'typebox';

export const DateTime = Type.String({ format: 'date-time' });
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);
/** Labels: a flat map of short strings, e.g. { "env": "prod", "group": "web" }. */
export const Labels = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9_.\\-/]{1,63}$' }),
  Type.String({ maxLength: 255 }),
  { maxProperties: 32, additionalProperties: false },
);
/**
 * An object whose fields the schema leaves open (audit details, stored reports). Typed as a
 * record: TypeBox types an empty object schema as an object with no field to read. The JSON
 * Schema is that of `Type.Object({}, { additionalProperties: true })`.
 */
export const OpenObject = Type.Unsafe<Record<string, unknown>>(
  Type.Object({}, { additionalProperties: true }),
);
