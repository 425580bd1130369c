# Container image for the controller (and, later, the node daemon).
# Build: docker build -t ambit:0.1.0 .
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN sh api/gen.sh && npx tsc -p tsconfig.json && npm prune --omit=dev
ENTRYPOINT ["node", "/app/bin/ambit"]
