# Ambit — every command a newcomer or CI needs. `make demo` and `make test` install
# what they need themselves (apt packages, npm packages, build) on a fresh Debian machine.

SHELL := /bin/bash
APT_PACKAGES := openssl ca-certificates curl iproute2
NPM_STAMP := node_modules/.ambit-installed

.PHONY: all setup apt-deps npm-deps build gen test unit lint demo bench clean

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

build: setup gen
	npx --no-install tsc -p tsconfig.json

lint: build
	npx --no-install eslint .

unit: build
	npx --no-install ava

test: build lint
	npx --no-install ava

demo: build
	bin/ambit demo examples

bench: build
	node dist/bench/run.js $(if $(QUICK),--quick,)

clean:
	rm -rf dist api/generated bench/results native/build bpf/*.o
