// The size of the host display's screen, so the guest's X server can have the same: a program places
// its window on the guest's screen, and Xpra's client puts it at that place on the host's, so a
// bigger guest screen puts windows where the host's ends.
import { runTool } from '../util/run.js';

export interface ScreenSize {
  width: number;
  height: number;
}

const sizes = new Map<string, Promise<ScreenSize | undefined>>();

/** "dimensions:    1280x900 pixels (325x229 millimeters)" → 1280x900; within what Xvfb accepts. */
export function parseDimensions(xdpyinfo: string): ScreenSize | undefined {
  const match = /^\s*dimensions:\s+([0-9]{3,5})x([0-9]{3,5}) pixels/m.exec(xdpyinfo);
  if (match === null) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width >= 320 && height >= 240 && width <= 16384 && height <= 16384 ? { width, height } : undefined;
}

/** Asked once per display (xdpyinfo, bounded); undefined when it cannot tell (the guest keeps its default). */
export function hostScreenSize(env: NodeJS.ProcessEnv): Promise<ScreenSize | undefined> {
  const display = env.DISPLAY ?? '';
  let size = sizes.get(display);
  if (size === undefined) {
    const childEnv: Record<string, string> = { DISPLAY: display, PATH: '/usr/bin:/bin', ...(env.XAUTHORITY ? { XAUTHORITY: env.XAUTHORITY } : {}) };
    size = runTool('xdpyinfo', [], { timeoutMs: 3000, env: childEnv }).then(
      (result) => (result.exitCode === 0 ? parseDimensions(result.stdout) : undefined),
      () => undefined,
    );
    sizes.set(display, size);
  }
  return size;
}
