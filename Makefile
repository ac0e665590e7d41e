# NoFear: `make demo` opens a sample document safely; `make test` runs every test. Both install what
# they need first (`make deps`).

SHELL := /bin/bash
PREFIX ?= $(HOME)/.local
NODE_MIN := 20.19.0

# Debian/Ubuntu packages NoFear needs at run time and for its tests. python3-pil is only a Recommends of
# xpra, but Xpra 3.1's server cannot forward a window without it (it imports PIL for window icons).
# python3-xlib and xauth: the host-client tests' other X client (grabs, MapNotify) and their cookies.
DEBIAN_PACKAGES := qemu-system-x86 busybox-static e2fsprogs bubblewrap util-linux xz-utils zstd \
	file shared-mime-info desktop-file-utils dbus xpra xvfb x11-apps x11-utils xdotool \
	python3-gi-cairo python3-pil imagemagick mupdf passt python3-nautilus gir1.2-nautilus-4.0 nautilus python3-caja \
	python3-xlib xauth
# The same on Fedora, for the install line printed there.
FEDORA_PACKAGES := qemu-system-x86-core busybox e2fsprogs bubblewrap util-linux xz zstd file \
	shared-mime-info desktop-file-utils dbus-daemon xpra xorg-x11-server-Xvfb xorg-x11-apps \
	xorg-x11-utils xdotool python3-gobject python3-pillow ImageMagick mupdf python3-xlib xorg-x11-xauth

.PHONY: all deps node-deps build test test-unit test-vm test-adversarial demo bench install uninstall clean

all: build

deps: node-deps
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -f /etc/fedora-release ]; then \
		echo "On Fedora, install NoFear's dependencies with:"; echo "  sudo dnf install -y $(FEDORA_PACKAGES)"; exit 1; \
	fi; \
	if [ -z "$$missing" ]; then echo "deps: all system packages present"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q --no-install-recommends $$missing >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null; } || exit 1; \
	else \
		echo "NoFear needs these packages. Install them with:"; \
		echo "  sudo apt-get install -y $$missing"; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ] && ! apt-cache policy linux-image-amd64 2>/dev/null | grep -q 'Candidate: [0-9]'; then \
		echo "deps: refreshing the package lists (the guest kernel comes from linux-image-amd64)"; apt-get update -q >/dev/null; \
	fi

node-deps:
	@node -e 'const [a,b,c]=process.versions.node.split(".").map(Number);const [x,y,z]="$(NODE_MIN)".split(".").map(Number);if(a*1e6+b*1e3+c<x*1e6+y*1e3+z){console.error("NoFear needs Node.js >= $(NODE_MIN), this is "+process.version+". Install a newer one, e.g.: sudo apt-get install -y nodejs from NodeSource, or nvm install 20");process.exit(1)}'
	@[ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error

build: node-deps
	@npx tsc -p tsconfig.json
	@chmod +x dist/cli/*.js

test: deps build
	@bash test/run-suites.sh main

test-adversarial: deps build
	@bash test/run-suites.sh adversarial

# Times its own set-up phases, then opens the sample PDF (headless: a private Xvfb and demo.png).
demo:
	@t0=$$(date +%s%N); $(MAKE) --no-print-directory deps || exit 1; t1=$$(date +%s%N); \
	$(MAKE) --no-print-directory build || exit 1; t2=$$(date +%s%N); \
	NOFEAR_DEMO_DEPS_MS=$$(( (t1 - t0) / 1000000 )) NOFEAR_DEMO_BUILD_MS=$$(( (t2 - t1) / 1000000 )) node dist/cli/demo.js

bench: deps build
	@node --import tsx bench/run.ts

install: build
	@mkdir -p $(PREFIX)/bin
	@for cmd in nofear nofear-open nofearctl; do \
		printf '#!/bin/sh\nexec node %s "$$@"\n' "$(CURDIR)/dist/cli/$$cmd.js" > $(PREFIX)/bin/$$cmd; chmod 755 $(PREFIX)/bin/$$cmd; done
	@echo "installed nofear, nofear-open and nofearctl in $(PREFIX)/bin"

uninstall:
	@rm -f $(PREFIX)/bin/nofear $(PREFIX)/bin/nofear-open $(PREFIX)/bin/nofearctl

clean:
	@rm -rf dist
