// A prepared LibreOffice user profile for the guest's generated home: LibreOffice's first start in an empty
// home runs its first-start wizard checks, re-registers every extension (no compatibility check recorded),
// probes Java and Skia/OpenCL, and offers document recovery after an unclean end; each costs seconds
// under TCG. These settings skip them. Pure, but for reading the host's build id.
import { readFileSync } from 'node:fs';

/** Where the guest's LibreOffice keeps its user profile (the guest user's home is /home/user). */
export const OFFICE_PROFILE_PATH = 'home/user/.config/libreoffice/4/user/registrymodifications.xcu';
const VERSIONRC = '/usr/lib/libreoffice/program/versionrc';

/** The installed LibreOffice's build id (versionrc's buildid), or undefined where none is installed. */
export function hostOfficeBuildId(file = VERSIONRC): string | undefined {
  try {
    return /^buildid=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function item(path: string, prop: string, value: string): string {
  return `<item oor:path="${path}"><prop oor:name="${prop}" oor:op="fuse"><value>${escapeXml(value)}</value></prop></item>`;
}

/** registrymodifications.xcu for a fresh guest home; with the build id, the extension check is already done. */
export function officeProfileXcu(buildId: string | undefined): string {
  const items = [
    item('/org.openoffice.Setup/Office', 'ooSetupInstCompleted', 'true'),
    ...(buildId === undefined ? [] : [item('/org.openoffice.Setup/Office', 'LastCompatibilityCheckID', buildId)]),
    item('/org.openoffice.Office.Common/Misc', 'FirstRun', 'false'),
    item('/org.openoffice.Office.Common/Misc', 'ShowTipOfTheDay', 'false'),
    item('/org.openoffice.Office.Common/Misc', 'UseOpenCL', 'false'),
    item('/org.openoffice.Office.Common/VCL', 'UseSkia', 'false'),
    item('/org.openoffice.Office.Common/Save/Document', 'CreateBackup', 'false'),
    item('/org.openoffice.Office.Recovery/AutoSave', 'Enabled', 'false'),
    item('/org.openoffice.Office.Recovery/RecoveryInfo', 'Enabled', 'false'),
    item('/org.openoffice.Office.Java/VirtualMachine', 'Enable', 'false'),
    item("/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments", 'AutoCheckEnabled', 'false'),
    // No "what's new" or "get involved" bars over the document: the version counts as already seen.
    item('/org.openoffice.Setup/Product', 'ooSetupLastVersion', '99.0'),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    ...items,
    '</oor:items>',
    '',
  ].join('\n');
}
