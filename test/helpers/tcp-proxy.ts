// A TCP proxy that a test can cut, to play a database outage: connections through it are
// destroyed and new ones refused after stop().
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  stop(): Promise<void>;
}

export function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  return startTcpProxyOn(targetHost, targetPort, 0);
}

/** The same on a given local port (to bring a stopped proxy back at the same address). */
export async function startTcpProxyOn(
  targetHost: string,
  targetPort: number,
  listenPort: number,
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  let stopped: Promise<void> | undefined;
  return {
    port: address.port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return stopped;
    },
  };
}
