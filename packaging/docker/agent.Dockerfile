# syntax=docker/dockerfile:1
# The afterpatch agent: one bundled file on a stock Node.js image. Build from the repository root:
#   docker build -f packaging/docker/agent.Dockerfile -t afterpatch/agent .
# It must see the HOST: run it with the host's PID namespace, the host's / mounted read-only at
# /host and CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH (docker-compose.yml, docs/deployment.md#containers).

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY cli ./cli
COPY agent ./agent
COPY server/config ./server/config
COPY shared ./shared
RUN npm run bundle:agent

FROM node:20-bookworm-slim
COPY --from=build /src/dist/afterpatch-agent.mjs /usr/lib/afterpatch/afterpatch-agent.mjs
# Root inside the container, but only with the two capabilities the compose file grants: the
# scan reads every host process's /proc entries, which needs CAP_SYS_PTRACE as the kernel sees it.
# hadolint ignore=DL3002
USER root
VOLUME ["/var/lib/afterpatch-agent"]
HEALTHCHECK --interval=60s --timeout=5s --start-period=120s \
  CMD ["test", "-s", "/var/lib/afterpatch-agent/credentials.json"]
# The agent's Node flags (agent/daemon/agent-node-flags.ts): no JIT, less memory.
ENTRYPOINT ["node", "--jitless", "--no-expose-wasm", "--max-semi-space-size=1", "--expose-gc", "/usr/lib/afterpatch/afterpatch-agent.mjs"]
CMD ["agent", "--root", "/host", "--proc-root", "/proc"]
