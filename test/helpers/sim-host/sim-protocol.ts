// The simulated host's control protocol: one JSON request line per unix-socket connection,
// one JSON reply line. The systemctl stand-in and the test helper both speak it.
import { connect } from 'node:net';

export interface ServiceDescription {
  argv: [string, ...string[]];
  /** The service's whole environment (not merged with the supervisor's). */
  env?: Record<string, string>;
}

/** What the supervisor reads at start (written by startSimHost). */
export interface HostDescription {
  name: string;
  hostname: string;
  /** The host's directory: logs/, the boot id file, the machine id file. */
  dir: string;
  socketPath: string;
  bootIdFile: string;
  machineIdFile: string;
  /**
   * Bind-mounted over /run inside the host (its own tmpfs, in effect): a test raises
   * `<runDir>/reboot-required` the way a package's postinst does, and a reboot empties it.
   */
  runDir: string;
  /** e.g. /sys/fs/cgroup/systemd/afterpatch-sim/<name>; services go under system.slice/. */
  cgroupRoot: string;
  /** Time between stopping everything and starting it again on a reboot. */
  rebootDelayMs: number;
  services: Record<string, ServiceDescription>;
}

export type SimRequest =
  | { cmd: 'restart'; unit: string }
  | { cmd: 'is-active'; unit: string }
  | { cmd: 'daemon-reexec' }
  | { cmd: 'reboot' }
  | { cmd: 'status' }
  | { cmd: 'shutdown' };

export interface SimReply {
  exitCode: number;
  output: string;
  status?: SimStatus;
}

export interface SimStatus {
  bootId: string;
  boots: number;
  reexecs: number;
  /** Every systemctl-side command, in order: "restart app.service", "reboot". */
  commands: string[];
  services: Record<string, { pids: number[]; starts: number }>;
}

/** Sends one request; rejects when the supervisor is not there. */
export function simRequest(socketPath: string, request: SimRequest, timeoutMs = 60_000): Promise<SimReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from the supervisor at ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text) as SimReply);
      } catch {
        reject(new Error(`bad reply from the supervisor: ${text.slice(0, 200)}`));
      }
    });
  });
}
