import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeReport } from '../../../server/agents/summarize-report.js';
import { cleanHostReport, rebootReport, servicesReport } from '../../agent/output/sample-reports.js';

test('the summary counts what the overview shows', () => {
  assert.deepEqual(summarizeReport(cleanHostReport()), {
    status: 'ok',
    staleProcesses: 0,
    servicesToRestart: 0,
    containersToRestart: 0,
    sessions: 0,
    rebootRequired: false,
    stalePackages: 0,
  });
  const services = summarizeReport(servicesReport());
  assert.equal(services.status, 'restart');
  assert.equal(services.staleProcesses, servicesReport().processes.length);
  assert.equal(services.containersToRestart, 1);
  assert.equal(services.sessions, 1);
  const reboot = summarizeReport(rebootReport());
  assert.equal(reboot.status, 'reboot');
  assert.equal(reboot.rebootRequired, true);
});
