// What a host needs, from its latest scan report, in the least disruptive form a rollout can
// execute: restart these units and containers, re-execute PID 1, or reboot (kernel, microcode,
// reboot-required file: a reboot then covers everything else). What a rollout must not or cannot
// do goes to `manual`, for a person: services on the deny list, user services and user managers
// (restarting user@UID.service would end the user's sessions), login sessions, processes without a
// restartable owner, containers of a Kubernetes pod (the pod is restarted, not the container) or of
// an unknown runtime, and names the step protocol would refuse.
import { Compile } from 'typebox/compile';
import { StepOperation } from '../../../shared/agent-protocol.js';
import type { HostNeeds } from '../../../shared/rollout-plan.js';
import type { ScanReport } from '../../../shared/scan-report.js';
import { compareNames } from './group-membership.js';

const stepOperation = Compile(StepOperation);

export function needsFromReport(report: ScanReport): HostNeeds {
  const { actions } = report;
  const manual: string[] = [];
  const units = new Set<string>();
  for (const service of actions.services) {
    if (service.denied) manual.push(`${service.unit}: on the deny list, restart it by hand`);
    else if (!stepOperation.Check({ kind: 'restart-unit', unit: service.unit })) {
      manual.push(`${service.unit}: not a unit name a step may carry, restart it by hand`);
    } else units.add(service.unit);
  }
  const containers = new Map<string, HostNeeds['containers'][number]>();
  for (const container of actions.containers) {
    const short = container.id.slice(0, 12);
    if (container.podUid !== undefined) {
      manual.push(`container ${short} of pod ${container.podUid}: restart the pod`);
    } else if (container.runtime === 'unknown') {
      manual.push(`container ${short}: unknown runtime, restart it by hand`);
    } else if (
      !stepOperation.Check({ kind: 'restart-container', runtime: container.runtime, id: container.id })
    ) {
      manual.push(`container ${short}: not an id a step may carry, restart it by hand`);
    } else
      containers.set(`${container.runtime}/${container.id}`, {
        runtime: container.runtime,
        id: container.id,
      });
  }
  for (const s of actions.userServices)
    manual.push(`user service ${s.unit} of uid ${s.uid}: restart it as the user`);
  for (const m of actions.userManagers)
    manual.push(`user manager of uid ${m.uid}: re-execute it as the user`);
  for (const s of actions.sessions) {
    manual.push(
      `session ${s.session}${s.uid === undefined ? '' : ` of uid ${s.uid}`}: the user must log out`,
    );
  }
  for (const p of actions.processes) {
    manual.push(`process ${p.pid} (${p.comm})${p.unit ? ` in ${p.unit}` : ''}: restart it by hand`);
  }

  const reboot = report.reboot.required || report.status === 'reboot';
  const needs: HostNeeds = {
    units: [...units].sort(compareNames),
    containers: [...containers.values()].sort(
      (a, b) => compareNames(a.runtime, b.runtime) || compareNames(a.id, b.id),
    ),
    reexecPid1: actions.pid1Reexec,
    reboot,
  };
  if (reboot) needs.rebootReasons = report.reboot.reasons.map((r) => r.message);
  if (manual.length > 0) needs.manual = manual;
  return needs;
}
