// What a piece of code writes to this process's stderr, captured (and kept off the test report) while it
// runs; whether stderr reads as a terminal, set for the same span.
export async function capturedStderr<T>(run: () => Promise<T> | T, isTTY?: boolean): Promise<{ result: T; text: string }> {
  const stderr = process.stderr as NodeJS.WriteStream & { isTTY?: boolean };
  const write = stderr.write.bind(stderr);
  const wasTTY = stderr.isTTY;
  let text = '';
  stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof stderr.write;
  if (isTTY !== undefined) stderr.isTTY = isTTY;
  try {
    return { result: await run(), text };
  } finally {
    stderr.write = write;
    stderr.isTTY = wasTTY;
  }
}
