// Roles in increasing power: a route declares the least role it needs.
import type { Role } from '../db/generated/enums.js';

export const ROLES = ['viewer', 'operator', 'admin'] as const satisfies readonly Role[];

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
