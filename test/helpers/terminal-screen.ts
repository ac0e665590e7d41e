// What a terminal shows after some output: carriage return, erase to end of line (ESC [K) and newline
// are honoured; any other escape sequence is kept as text, so a test sees it.
export function screenLines(output: string): string[] {
  const lines: string[] = [''];
  let column = 0;
  for (let i = 0; i < output.length; i++) {
    const row = lines.length - 1;
    if (output.startsWith('\x1b[K', i)) {
      lines[row] = (lines[row] ?? '').slice(0, column);
      i += 2;
    } else if (output[i] === '\r') column = 0;
    else if (output[i] === '\n') {
      lines.push('');
      column = 0;
    } else {
      const line = (lines[row] ?? '').padEnd(column);
      lines[row] = `${line.slice(0, column)}${output[i] ?? ''}${line.slice(column + 1)}`;
      column++;
    }
  }
  return lines;
}
