# Ambit — every command a newcomer or CI needs. `make demo` and `make test` install
# what they need themselves (apt packages, npm packages, build) on a fresh Debian machine.

SHELL := /bin/bash
# Build: openssl (tests), make/g++/python3 + clang/llvm/libbpf-dev/bpftool (native addon and
# eBPF object). Local runtime and privileged tests: iproute2, procps, iptables/nftables
# (checked to hold none of our rules), curl, python3-httpbin + gunicorn (+ gevent) for httpbin pods.
# Benchmarks: haproxy (the mTLS-pair baseline), nginx (the reverse-proxy hop next to the waypoint).
APT_PACKAGES := openssl ca-certificates curl iproute2 procps make g++ python3 clang llvm libbpf-dev bpftool \
	iptables nftables python3-httpbin gunicorn python3-gevent haproxy nginx
NPM_STAMP := node_modules/.ambit-installed

.PHONY: all setup apt-deps npm-deps build gen native test unit lint demo bench clean

all: build

setup: apt-deps npm-deps

# Installs only what is missing, so it is quick when run again.
apt-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages:" $$missing; \
	  if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

npm-deps: $(NPM_STAMP)
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

gen: npm-deps
	sh api/gen.sh

build: setup gen native
	npx --no-install tsc -p tsconfig.json

# The eBPF object and the libbpf addon (node-gyp as bundled with npm: works offline,
# with Node's headers from the system).
NODE_GYP := node $(shell npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js
NODE_PREFIX := $(shell node -p "require('node:path').resolve(process.execPath, '../..')")
NATIVE_SOURCES := native/binding.gyp $(wildcard native/src/*.cc native/src/*.h bpf/*.c bpf/*.h)
native: native/build/Release/ambit_native.node
native/build/Release/ambit_native.node: $(NATIVE_SOURCES) | apt-deps npm-deps
	cd native && $(NODE_GYP) rebuild --nodedir=$(NODE_PREFIX)

lint: build
	npx --no-install eslint .

unit: build
	npx --no-install ava

test: build lint
	npx --no-install ava

# A 2-node mesh on this machine (root), walked through step by step; it stays up afterwards.
demo: build
	bash examples/demo.sh

bench: build
	node dist/bench/run.js $(if $(QUICK),--quick,)

clean:
	rm -rf dist api/generated bench/results native/build bpf/*.o
