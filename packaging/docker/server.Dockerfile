# syntax=docker/dockerfile:1
# The afterpatch server. Build from the repository root:
#   docker build -f packaging/docker/server.Dockerfile -t afterpatch/server .
# Reference: docs/deployment.md#containers.

# --- build: the esbuild bundle and the Prisma client generated into it ----------------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the whole build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY prisma.config.ts ./
COPY prisma ./prisma
COPY bin ./bin
COPY cli ./cli
COPY agent ./agent
COPY server ./server
COPY shared ./shared
RUN npx prisma generate && npm run bundle

# --- run: the bundle, the production dependencies it leaves external, the migrations --------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/bundle ./dist/bundle
COPY bin ./bin
# Pending migrations are applied at every start (under PostgreSQL's advisory lock).
COPY prisma/migrations ./prisma/migrations
RUN mkdir -p /var/lib/afterpatch && chown node:node /var/lib/afterpatch
USER node
VOLUME ["/var/lib/afterpatch"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/afterpatch.js"]
CMD ["server", "--data-dir", "/var/lib/afterpatch"]
