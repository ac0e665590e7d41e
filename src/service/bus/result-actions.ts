// What the "safe PDF is ready" notification's buttons do. Open: the safe PDF in the user's own PDF viewer,
// natively (the previous default, integrate/previous-default.ts; never xdg-open, whose answer for a PDF
// is NoFear again). Show in folder: the file manager shows it selected (org.freedesktop.FileManager1's
// ShowItems, which Nautilus, Nemo, Caja, Thunar and Dolphin answer); where nothing answers on the bus, its
// folder opens in the previous default for folders. The safe PDF is NoFear's own output, not the original.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unavailable } from '../../errors.js';
import { launchNative } from '../../integrate/native-launch.js';
import { previousDefaultFor, type NativeApp } from '../../integrate/previous-default.js';
import { callMethod, type MessageBus } from './bus.js';

/** What the buttons need from the desktop; tests give their own. */
export interface DesktopHands {
  previousDefaultFor(mime: string): Promise<NativeApp | undefined>;
  launchNative(app: NativeApp, files: readonly string[]): Promise<unknown>;
  /** FileManager1.ShowItems for these file:// URIs; rejects when no file manager answers. */
  showItems(uris: readonly string[]): Promise<void>;
}

export interface ResultActions {
  open(file: string): Promise<void>;
  showInFolder(file: string): Promise<void>;
  /** Several files shown selected at once (a batch's safe PDFs); the fallback opens the first one's folder. */
  showFiles(files: readonly string[]): Promise<void>;
}

const FILE_MANAGER = { destination: 'org.freedesktop.FileManager1', path: '/org/freedesktop/FileManager1', interface: 'org.freedesktop.FileManager1' };
/** D-Bus activation of a file manager that is not running takes a moment; one that never answers is given up. */
const SHOW_ITEMS_TIMEOUT_MS = 10_000;

export function resultActions(hands: DesktopHands): ResultActions {
  const openIn = async (mime: string, file: string, what: string, fix: string) => {
    const app = await hands.previousDefaultFor(mime);
    if (app === undefined) throw unavailable(`No application on this desktop opens ${what} natively (besides NoFear).`, fix);
    await hands.launchNative(app, [file]);
  };
  const showFiles = async (files: readonly string[]) => {
    try {
      await hands.showItems(files.map((file) => pathToFileURL(file).href));
    } catch {
      await openIn('inode/directory', path.dirname(files[0] ?? '.'), 'folders', 'install a file manager (e.g. apt install nautilus)');
    }
  };
  return {
    open: (file) => openIn('application/pdf', file, 'PDFs', 'install a PDF viewer (e.g. apt install evince), or open the safe PDF with nofear-open FILE'),
    showInFolder: (file) => showFiles([file]),
    showFiles,
  };
}

/** The real desktop: the session bus the service is on, the environment it runs in. */
export function desktopHands(bus: MessageBus, env: NodeJS.ProcessEnv): DesktopHands {
  return {
    previousDefaultFor: (mime) => previousDefaultFor(mime, env),
    launchNative: (app, files) => launchNative(app, files, env),
    showItems: async (uris) => void (await callMethod(bus, { ...FILE_MANAGER, member: 'ShowItems', signature: 'ass', body: [uris, ''] }, SHOW_ITEMS_TIMEOUT_MS)),
  };
}
