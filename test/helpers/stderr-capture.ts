// What a piece of code writes to this process's stdout and stderr, captured (and kept off the test report)
// while it runs; whether stderr reads as a terminal, set for the same span.
type Stream = NodeJS.WriteStream & { isTTY?: boolean };

function capture(stream: Stream): { text: () => string; restore: () => void } {
  const write = stream.write.bind(stream);
  let text = '';
  stream.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof stream.write;
  return { text: () => text, restore: () => void (stream.write = write) };
}

export async function capturedOutput<T>(run: () => Promise<T> | T, isTTY?: boolean): Promise<{ result: T; stdout: string; stderr: string }> {
  const stderr = process.stderr as Stream;
  const wasTTY = stderr.isTTY;
  const out = capture(process.stdout as Stream);
  const err = capture(stderr);
  if (isTTY !== undefined) stderr.isTTY = isTTY;
  try {
    const result = await run();
    return { result, stdout: out.text(), stderr: err.text() };
  } finally {
    out.restore();
    err.restore();
    stderr.isTTY = wasTTY;
  }
}

export async function capturedStderr<T>(run: () => Promise<T> | T, isTTY?: boolean): Promise<{ result: T; text: string }> {
  const { result, stderr } = await capturedOutput(run, isTTY);
  return { result, text: stderr };
}

/**
 * Runs `run` with stderr captured; `heard` resolves once stderr has said something matching `line` (the
 * event a test waits for: a log line the code under test writes when it reaches a step).
 */
export async function whileHearingStderr<T>(line: RegExp, run: (heard: Promise<void>) => Promise<T>): Promise<{ result: T; text: string }> {
  const err = capture(process.stderr as Stream);
  let hear = () => {};
  const heard = new Promise<void>((resolve) => (hear = resolve));
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    write.call(process.stderr, chunk);
    if (line.test(err.text())) hear();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await run(heard), text: err.text() };
  } finally {
    err.restore();
  }
}
