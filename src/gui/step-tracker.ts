// The steps a sandbox has reached on its way to a window, with their times (src/sandbox/launch.ts's producers share it).
import type { HostWindow } from './client.js';
import type { GuiStep } from './step-deadlines.js';

/** Where a sandbox's launch is: booting, then the GUI's steps. */
export type LaunchStep = 'booting' | GuiStep;

/** The steps a sandbox has reached, with their times, and who wants to hear of the next. */
export class StepTracker {
  step: LaunchStep = 'booting';
  readonly steps: Partial<Record<LaunchStep, number>> = { booting: 0 };
  windowId = 0;
  private readonly listeners: Array<(step: LaunchStep) => void> = [];

  constructor(readonly startedAt: Date) {}

  reach(step: LaunchStep, window?: HostWindow): void {
    if (this.steps[step] !== undefined) return;
    if (window !== undefined) this.windowId = window.xid;
    this.step = step;
    this.steps[step] = Date.now() - this.startedAt.getTime();
    for (const listener of this.listeners) listener(step);
  }

  listen(listener: (step: LaunchStep) => void): void {
    this.listeners.push(listener);
  }
}
