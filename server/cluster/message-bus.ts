// Messages from one server instance to another. Delivery is at most once and not queued: a
// message for an instance that is not listening (crashed, reconnecting its LISTEN connection)
// is lost. The callers' messages are requests that are cheap to repeat (a scan request) or are
// followed up by their own protocol (a rollout step has a step-status answer and a timeout).
import type { ClusterMessage } from './cluster-message.js';

export type ClusterMessageHandler = (message: ClusterMessage) => void;

export interface MessageBus {
  /** Sends `message` to instance `instanceId`; resolves once handed to the transport. */
  publish(instanceId: string, message: ClusterMessage): Promise<void>;
  /** Starts receiving the messages addressed to this instance. */
  listen(handler: ClusterMessageHandler): Promise<void>;
  close(): Promise<void>;
}
