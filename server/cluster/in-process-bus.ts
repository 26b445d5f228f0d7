// The message bus for PGlite: only one process can open a PGlite directory, so every instance
// sharing it lives in this process (in practice one; tests build two apps on one database).
import type { ClusterMessage } from './cluster-message.js';
import type { ClusterMessageHandler, MessageBus } from './message-bus.js';

const listeners = new Map<string, ClusterMessageHandler>();

export function createInProcessBus(instanceId: string): MessageBus {
  return {
    async publish(target: string, message: ClusterMessage) {
      const handler = listeners.get(target);
      // Asynchronous like the PostgreSQL bus, and a copy: the receiver cannot change the sender's object.
      if (handler) {
        const copy = structuredClone(message);
        setImmediate(() => handler(copy));
      }
    },
    async listen(handler: ClusterMessageHandler) {
      listeners.set(instanceId, handler);
    },
    async close() {
      listeners.delete(instanceId);
    },
  };
}
