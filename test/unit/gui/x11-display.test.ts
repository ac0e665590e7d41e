import assert from 'node:assert/strict';
import { jailedDisplay, parseDisplay, routeDisplay } from '../../../src/gui/x11-display.js';

describe('the X display, as the jailed client reaches it', () => {
  it('reads DISPLAY as Xlib does', () => {
    assert.deepEqual(parseDisplay(':0'), { host: '', number: 0, screen: '' });
    assert.deepEqual(parseDisplay(':1.0'), { host: '', number: 1, screen: '.0' });
    assert.deepEqual(parseDisplay('unix:2'), { host: '', number: 2, screen: '' });
    assert.deepEqual(parseDisplay('myhost/unix:3'), { host: '', number: 3, screen: '' });
    assert.deepEqual(parseDisplay('localhost:10.0'), { host: 'localhost', number: 10, screen: '.0' });
    // Xlib's protocol prefixes: TCP, relayed like a bare host (issue 28: these ran the client unjailed).
    assert.deepEqual(parseDisplay('localhost/tcp:10'), { host: 'localhost', number: 10, screen: '' });
    assert.deepEqual(parseDisplay('host.example/inet:4'), { host: 'host.example', number: 4, screen: '' });
    assert.deepEqual(parseDisplay('/tcp:3'), { host: 'localhost', number: 3, screen: '' });
    assert.equal(routeDisplay('localhost/tcp:10', { filesystemSocket: false, abstractSocket: false }).kind, 'relay');
    for (const odd of ['', '0', ':', ':x', '/tmp/.X11-unix/X0', ':0;rm -rf /', 'a b:0']) assert.equal(parseDisplay(odd), undefined, odd);
  });
  it('binds the filesystem socket where there is one, even beside an abstract one', () => {
    assert.deepEqual(routeDisplay(':0', { filesystemSocket: true, abstractSocket: true }), { kind: 'socket', path: '/tmp/.X11-unix/X0', display: { host: '', number: 0, screen: '' } });
  });
  it('relays an abstract-only display and a TCP one, saying why', () => {
    const abstract = routeDisplay(':5', { filesystemSocket: false, abstractSocket: true });
    assert.equal(abstract.kind, 'relay');
    assert.deepEqual(abstract.kind === 'relay' ? abstract.target : undefined, { abstract: '/tmp/.X11-unix/X5' });
    assert.match(abstract.kind === 'relay' ? abstract.why : '', /only an abstract socket/);
    const tcp = routeDisplay('localhost:10.0', { filesystemSocket: false, abstractSocket: false });
    assert.deepEqual(tcp.kind === 'relay' ? tcp.target : undefined, { host: 'localhost', port: 6010 });
  });
  it('gives up (the client is then refused) on a display with no socket or an odd DISPLAY', () => {
    assert.equal(routeDisplay(':9', { filesystemSocket: false, abstractSocket: false }).kind, 'unreachable');
    assert.equal(routeDisplay('wayland-0', { filesystemSocket: true, abstractSocket: true }).kind, 'unreachable');
  });
  it('always names the local socket inside the jail', () => {
    assert.equal(jailedDisplay({ host: 'localhost', number: 10, screen: '.0' }), ':10.0');
  });
});
