// The two shapes of the REST API's list answers: a numbered page with the total count (hosts,
// fleet packages) and a cursor page, newest first, where `nextCursor` is the `before` of the next
// request (host history, audit log).
import Type, { type Static, type TSchema } from 'typebox';

export function PageOf<Item extends TSchema>(item: Item) {
  return Type.Object({
    items: Type.Array(item),
    page: Type.Integer(),
    pageSize: Type.Integer(),
    total: Type.Integer(),
  });
}
export type Page<Item> = Omit<Static<ReturnType<typeof PageOf>>, 'items'> & { items: Item[] };

export function CursorPageOf<Item extends TSchema>(item: Item) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
export type CursorPage<Item> = Omit<Static<ReturnType<typeof CursorPageOf>>, 'items'> & { items: Item[] };
