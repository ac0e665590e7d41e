// The command lines NoFear's own words name (a message's fix, a man page example), found in the sources
// and read with the grammar: each must be one the parsers accept, as written.
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine } from '../../src/cli/grammar.js';
import { parseNofearArgs } from '../../src/cli/nofear-args.js';
import { parseOpenArgs } from '../../src/cli/nofear-open-args.js';
import { NOFEARCTL_SPEC } from '../../src/cli/spec-nofearctl.js';

/** Where a string literal is a fix: the second argument of these, the third of doctor's warn/fail, a `fix` property. */
const FIX_SECOND = new Set(['invalidArgument', 'notFound', 'unavailable', 'limitReached', 'accessDenied', 'unusable']);
const FIX_THIRD = new Set(['warn', 'fail']);
/** A template's ${...} stands for a value: a number reads as a size, a count, a name or a file alike; a verb as a subcommand. */
const PLACEHOLDERS = ['1024', 'create'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/** The literal's text, once per placeholder value for a template. */
function literalTexts(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return PLACEHOLDERS.map((value) => node.head.text + node.templateSpans.map((span) => value + span.literal.text).join(''));
  return [];
}

/** Climbs from a literal through `a ? 'x' : 'y'`, `'a' + b` and parentheses to where its value goes. */
function isFixContext(literal: ts.Node): boolean {
  let node = literal;
  while (ts.isConditionalExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isBinaryExpression(node.parent) || ts.isTemplateSpan(node.parent)) {
    node = ts.isTemplateSpan(node.parent) ? node.parent.parent : node.parent;
  }
  const parent = node.parent;
  if (ts.isPropertyAssignment(parent) && parent.name.getText() === 'fix') return true;
  if (!ts.isCallExpression(parent)) return false;
  const callee = parent.expression.getText().split('.').at(-1) ?? '';
  const index = parent.arguments.indexOf(node as ts.Expression);
  return (FIX_SECOND.has(callee) && index === 1) || (FIX_THIRD.has(callee) && index === 2);
}

export interface Named {
  where: string;
  /** The same command line with each placeholder value (one for a plain string): one of them must parse. */
  lines: string[];
}

const COMMAND = /(?:^|[\s(`])(nofear-open|nofearctl|nofear)(?= )/g;
/** A command line in prose ends at punctuation, a bracketed synopsis, or the prose that follows it. */
const END = /[,;()[`]|\s(?:or|and|then|to|from|makes|edits|creates|lists|takes|shows|runs|again|works|prints|picks|opens|parses)\b/;

/** Every command line in a text: at each command word, up to where the prose takes over. */
export function commandLinesIn(text: string): string[] {
  const lines: string[] = [];
  for (const match of text.matchAll(COMMAND)) {
    const start = (match.index ?? 0) + match[0].length - (match[1] ?? '').length;
    const rest = `${text.slice(start)} `;
    const end = END.exec(rest.slice((match[1] ?? '').length));
    const line = rest.slice(0, end === null ? undefined : (match[1] ?? '').length + end.index).trim();
    lines.push(line.replace(/[.:]$/, ''));
  }
  return lines;
}

/** The fixes NoFear's sources name: fix arguments, `fix:` properties and text after "Fix: " in any string. */
export function fixCommandLines(srcDir: string): Named[] {
  const found: Named[] = [];
  for (const file of sourceFiles(srcDir)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      const texts = literalTexts(node);
      if (texts.length > 0) {
        const fixes = texts.map((text) => (isFixContext(node) ? text : text.includes('Fix: ') ? text.slice(text.indexOf('Fix: ') + 5) : ''));
        const where = `${path.relative(srcDir, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const perValue = fixes.map(commandLinesIn);
        (perValue[0] ?? []).forEach((_line, i) => found.push({ where, lines: perValue.map((lines) => lines[i] ?? '') }));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** Splits a command line as the shell would (quotes; no expansions), without the shell. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/** Undefined when the grammar (and the command's own checks) accept the line; otherwise why not. */
export function refusal(line: string): string | undefined {
  const [program, ...argv] = shellWords(line);
  try {
    if (program === 'nofear') parseNofearArgs(argv);
    else if (program === 'nofear-open') parseOpenArgs(argv);
    else if (program === 'nofearctl') parseCommandLine(NOFEARCTL_SPEC, argv);
    else return `${program ?? ''} is not a NoFear command`;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
