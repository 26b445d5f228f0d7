// What a step left behind: the agent's word (operations, hooks, health checks with their outcome,
// boot ids and kernel for a reboot) and the server's checks (boot id changed, kernel, the fresh
// report no longer shows the need) with the verdict.
import type { Outcome, RolloutStep } from './types.js';

function Outcomes({ title, items }: { title: string; items: Outcome[] | undefined }) {
  if (!items?.length) return null;
  return (
    <>
      <dt>{title}</dt>
      <dd>
        <ul class="outcomes">
          {items.map((o, i) => (
            <li key={`${o.what}-${i}`} class={o.ok ? 'ok' : 'bad'}>
              {o.ok ? '✓' : '✗'} {o.what}
              {o.detail ? `: ${o.detail}` : ''}
            </li>
          ))}
        </ul>
      </dd>
    </>
  );
}

export function StepEvidence({ step }: { step: RolloutStep }) {
  const agent = step.evidence.agent ?? {};
  const checks = step.evidence.checks ?? {};
  return (
    <dl class="facts evidence" data-testid="step-evidence">
      {step.failureReason && (
        <>
          <dt>failure</dt>
          <dd class="error-text">{step.failureReason}</dd>
        </>
      )}
      {step.evidence.verdict && (
        <>
          <dt>verdict</dt>
          <dd>{step.evidence.verdict}</dd>
        </>
      )}
      {(step.agentState || step.agentMessage) && (
        <>
          <dt>agent said</dt>
          <dd>
            {step.agentState}
            {step.agentMessage ? `: ${step.agentMessage}` : ''}
          </dd>
        </>
      )}
      {step.action === 'reboot' && (step.bootIdAtDispatch || agent.bootIdAfter) && (
        <>
          <dt>boot id</dt>
          <dd class="mono">
            {step.bootIdAtDispatch ?? '?'} → {agent.bootIdAfter ?? '(not yet)'}
          </dd>
        </>
      )}
      {(step.expectedKernel || agent.kernelRelease) && (
        <>
          <dt>kernel</dt>
          <dd class="mono">
            {agent.kernelRelease ?? '?'} (expected {step.expectedKernel ?? 'any'})
          </dd>
        </>
      )}
      {agent.reportSeq !== undefined && (
        <>
          <dt>post-step report</dt>
          <dd>#{String(agent.reportSeq)}</dd>
        </>
      )}
      <Outcomes title="operations" items={agent.operations} />
      <Outcomes title="hooks" items={agent.hooks} />
      <Outcomes title="health checks" items={agent.healthChecks} />
      {Object.keys(checks).length > 0 && (
        <>
          <dt>server checks</dt>
          <dd class="mono small">{JSON.stringify(checks)}</dd>
        </>
      )}
    </dl>
  );
}
