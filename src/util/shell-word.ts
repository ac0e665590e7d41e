// One word of a POSIX shell command line, quoted only when it needs to be: fixes NoFear prints are
// commands a person pastes, so a file name with spaces or quotes must survive the paste.
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}
