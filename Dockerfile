# hivelink hub in a container:
#   docker build -t hivelink .
#   docker run -d --name hivelink -p 5678:5678 -v hivelink-data:/data hivelink
#   docker exec hivelink hivelink clients add --name kitchen
# The data dir (database, identity, secrets key) is the volume at /data. mDNS announcements need --network host.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source (no prebuilt download).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# The offline speech engines of the voice path.
RUN apt-get update \
  && apt-get install -y --no-install-recommends espeak-ng pocketsphinx pocketsphinx-en-us \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN ln -s /app/bin/hivelink.js /usr/local/bin/hivelink && mkdir /data && chown node:node /data
ENV HIVELINK_HOME=/data NODE_ENV=production
VOLUME /data
EXPOSE 5678
USER node
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:5678/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["hivelink"]
CMD ["hub"]
