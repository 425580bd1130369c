#!/bin/sh
# Generates TypeScript types for api/proto/ambit/v1/*.proto into api/generated/.
# The generated files use extensionless relative imports, so that folder is marked
# CommonJS for type resolution (it only holds types; nothing there is imported at run time).
set -eu
cd "$(dirname "$0")/.."
rm -rf api/generated
npx --no-install proto-loader-gen-types -I api/proto --grpcLib=@grpc/grpc-js --outDir=api/generated \
  --longs=Number --enums=String --defaults --oneofs --includeComments \
  ambit/v1/workload.proto ambit/v1/discovery.proto ambit/v1/ca.proto 2>&1 | grep -v 'alpha' || true
test -f api/generated/ambit/v1/Workload.ts
echo '{"type": "commonjs"}' > api/generated/package.json
