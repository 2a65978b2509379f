# syntax=docker/dockerfile:1
# signet image: build with dev dependencies, run with production ones only.
# scripts/docker-smoke.ts runs these same stages without Docker (see docs/kubernetes.md).

ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# --- build: compile TypeScript to dist/ ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped here: `prepare` (tsc) needs the sources, which come next.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production node_modules only; no package needs an install script ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir spool

# --- runtime: no shell, no npm, numeric non-root user ---
FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    SIGNET_LISTEN=0.0.0.0:8080 \
    SIGNET_ADMIN_LISTEN=0.0.0.0:9090 \
    SIGNET_SPOOL_DIR=/var/spool/signet
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The spool dir must exist (--spool-dir is checked at start); mount a volume over it when the
# root filesystem is read-only.
COPY --from=deps --chown=65532:65532 /app/spool /var/spool/signet
VOLUME ["/var/spool/signet"]
USER 65532:65532
EXPOSE 8080 9090
# Exec form: node is PID 1 and gets SIGTERM itself, so shutdown-grace draining works.
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/signet.js"]
CMD ["serve"]
