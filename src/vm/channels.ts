// Connects to the unix sockets QEMU listens on for its virtio-serial ports.
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Connects once QEMU has created the socket. QEMU creates it during start-up, so this retries until
 * the deadline, or until `gaveUp()` says QEMU is gone.
 */
export async function connectPort(socketPath: string, deadlineMs: number, gaveUp: () => boolean): Promise<net.Socket> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const socket = net.createConnection(socketPath);
        socket.once('connect', () => {
          socket.removeListener('error', reject);
          // A reset when QEMU goes is how every port ends: QEMU's exit says why, not the socket.
          socket.on('error', () => {});
          resolve(socket);
        });
        socket.once('error', reject);
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || gaveUp() || Date.now() > deadline) {
        throw new Error(`cannot connect to ${socketPath}: ${code ?? String(error)}`);
      }
      await delay(10);
    }
  }
}
