// The test machine's desktop defaults (test/fixtures/desktop-defaults/mimeapps.list) come first in
// XDG_CONFIG_DIRS for every mocha run (required by .mocharc.json) and `make bench`, however they are started
// (test/run-suites.sh or a developer's own `env -i ... mocha`): PDFs open in mupdf, as the suites and
// benchmarks expect, although LibreOffice Draw (installed with Impress by `make deps`) also claims them and
// GLib would pick it. Child processes (nofear-open, the service, dbus-daemon) inherit it; trees with their
// own XDG_CONFIG_DIRS (test/helpers/integration-tree.ts) add DESKTOP_DEFAULTS themselves.
'use strict';
const path = require('node:path');

const DESKTOP_DEFAULTS = path.join(__dirname, '..', 'fixtures', 'desktop-defaults');
const current = (process.env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter((dir) => dir !== '' && dir !== DESKTOP_DEFAULTS);
process.env.XDG_CONFIG_DIRS = [DESKTOP_DEFAULTS, ...current].join(':');

module.exports = { DESKTOP_DEFAULTS };
