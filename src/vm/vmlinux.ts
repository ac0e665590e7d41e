// Extracts the uncompressed ELF vmlinux from a bzImage once: it boots by PVH without the guest
// decompressing itself, which under TCG saves about 3 s per boot.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { runTool } from '../util/run.js';
import { exists, sha256 } from '../util/fs.js';

const PAYLOADS = [
  { magic: Buffer.from('fd377a585a00', 'hex'), tool: 'xz', args: ['-dc', '--single-stream'] },
  { magic: Buffer.from('28b52ffd', 'hex'), tool: 'zstd', args: ['-dcq'] },
] as const;

const ELF = Buffer.from('7f454c46', 'hex');

/** QEMU boots an ELF kernel only through its PVH entry: an ELF note "Xen" of type 18 (PHYS32_ENTRY). */
export function hasPvhNote(elf: Buffer): boolean {
  const name = Buffer.from('Xen\0');
  for (let at = elf.indexOf(name); at >= 12; at = elf.indexOf(name, at + 1)) {
    if (elf.readUInt32LE(at - 12) === 4 && elf.readUInt32LE(at - 4) === 18) return true;
  }
  return false;
}

const PT_LOAD = 1;
const PAGE = 4096;

/**
 * The same kernel with each loadable segment's file part ending at its last non-zero page: QEMU maps
 * the vmlinux and keeps every page it read for the VM's life (its ROM copy, for a reset), and the
 * last segment of a distribution kernel stores its .bss, .brk and .init.scratch as ~23 MiB of zeros in
 * the file. QEMU zero-fills a segment's memory beyond its file part, so what the guest gets is the same.
 * A buffer that is not a 64-bit little-endian ELF comes back as it is.
 */
export function withoutTrailingZeros(elf: Buffer): Buffer {
  if (elf.length < 64 || !elf.subarray(0, 4).equals(ELF) || elf[4] !== 2 || elf[5] !== 1) return elf;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const entrySize = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  if (entrySize < 56 || phoff + entrySize * count > elf.length) return elf;
  const out = Buffer.from(elf);
  for (let index = 0; index < count; index++) {
    const header = phoff + index * entrySize;
    if (out.readUInt32LE(header) !== PT_LOAD) continue;
    const offset = Number(out.readBigUInt64LE(header + 8));
    const fileSize = Number(out.readBigUInt64LE(header + 0x20));
    if (offset + fileSize > out.length) continue; // truncated file: not ours to judge
    let end = fileSize;
    while (end > 0 && out[offset + end - 1] === 0) end--;
    const trimmed = Math.min(fileSize, Math.ceil(end / PAGE) * PAGE);
    out.writeBigUInt64LE(BigInt(trimmed), header + 0x20);
  }
  return out;
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fsp.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The path to boot: the cached vmlinux for this bzImage, extracted on first use; the bzImage if that fails. */
export async function bootableImage(bzImage: string, cacheDir: string): Promise<string> {
  const stat = await fsp.stat(bzImage);
  // "trimmed": a vmlinux extracted before withoutTrailingZeros is not reused.
  const key = sha256(path.resolve(bzImage), String(stat.size), String(stat.mtimeMs), 'trimmed').slice(0, 16);
  const out = path.join(cacheDir, `vmlinux-${key}`);
  if (await exists(out)) return out;
  // An ELF already (NOFEAR_KERNEL naming a vmlinux): boot it as it is, without reading its ~60 MB each time.
  if ((await readHead(bzImage, ELF.length)).equals(ELF)) return bzImage;
  const data = await fsp.readFile(bzImage);
  for (const payload of PAYLOADS) {
    const offset = data.indexOf(payload.magic);
    if (offset < 0) continue;
    await fsp.mkdir(cacheDir, { recursive: true });
    // A fresh private directory (unpredictable name, 0700) for the work files: nothing can be planted there.
    const work = await fsp.mkdtemp(path.join(cacheDir, '.vmlinux-'));
    const compressed = path.join(work, 'payload');
    const partial = path.join(work, 'vmlinux');
    try {
      await fsp.writeFile(compressed, data.subarray(offset));
      await runTool(payload.tool, [...payload.args, compressed], { timeoutMs: 120_000, stdoutFile: partial });
      const elf = await fsp.readFile(partial);
      if (elf.subarray(0, 4).equals(ELF) && hasPvhNote(elf)) {
        await fsp.writeFile(partial, withoutTrailingZeros(elf));
        await fsp.rename(partial, out);
        return out;
      }
    } catch {
      // fall through: the bzImage itself still boots, only slower
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  }
  return bzImage;
}
