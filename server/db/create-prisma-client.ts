// The one place a PrismaClient is made, for PGlite and PostgreSQL alike.
import { PrismaClient } from './generated/client.js';

type Adapter = NonNullable<NonNullable<ConstructorParameters<typeof PrismaClient>[0]>['adapter']>;

export function createPrismaClient(adapter: Adapter): PrismaClient {
  // 'minimal': with the default ('colorless'), every query call captures a stack trace (new
  // Error) only to point at the caller if it fails. Under 10,000 agents that capture was over
  // half of the server's CPU (bench/fleet-sim.ts --cpu-prof); our errors are logged with their
  // own context instead.
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}
