// A tiny HTTP service run by a simulated host's supervisor: the target of a group's `http`
// health check. GET /health answers 200, except in mode `break-after-restart` (read from the
// mode file at each request, so a test can arm it at any time): the first request in that mode
// notes the pids of the app it watches (a unit's cgroup.procs), and once they change, i.e. the
// rollout restarted the app, it answers 500: the app came back broken.
// argv: PORT CGROUP_PROCS_FILE MODE_FILE
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [portText, procsFile, modeFile] = process.argv.slice(2);
let armedWith: string | undefined;

function read(file: string | undefined): string {
  try {
    return readFileSync(file!, 'utf8').trim();
  } catch {
    return '';
  }
}

const server = createServer((request, response) => {
  let broken = false;
  if (read(modeFile) === 'break-after-restart') {
    const pids = read(procsFile);
    armedWith ??= pids;
    broken = pids !== armedWith;
  } else armedWith = undefined;
  response.statusCode = request.url === '/health' ? (broken ? 500 : 200) : 404;
  response.end(broken ? 'app broken after restart\n' : 'ok\n');
});
server.listen(Number(portText), '127.0.0.1', () => {
  process.stdout.write(`health-web listening on ${portText}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
