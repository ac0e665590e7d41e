// Which modules in src/ hold a decision (a branch) and which unit test files import them: the house's rule
// "every module with a decision has a unit test that imports it", read from the sources themselves.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const BRANCHING_OPERATORS = new Set([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken]);

/** Every .ts file under dir, sorted. */
export function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return typeScriptFiles(full);
      return name.endsWith('.ts') ? [full] : [];
    });
}

/** How many branches a module's code takes: if, ?:, switch cases, catch, &&, || and ?? (types and comments are not code). */
export function countDecisions(source: string): number {
  const file = ts.createSourceFile('module.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  let decisions = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node) || ts.isCaseClause(node) || ts.isCatchClause(node)) decisions += 1;
    else if (ts.isBinaryExpression(node) && BRANCHING_OPERATORS.has(node.operatorToken.kind)) decisions += 1;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return decisions;
}

/** The relative module specifiers a file imports, re-exports or imports dynamically (`import type` runs no code: not counted). */
export function importedSpecifiers(source: string): string[] {
  const statics = [...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?(?:from\s*)?'(\.[^']+)'/gm)].map((m) => m[1] ?? '');
  const dynamics = [...source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1] ?? '');
  return [...statics, ...dynamics];
}

/** The absolute .ts path a relative specifier written in `from` names. */
export function resolveSpecifier(from: string, specifier: string): string {
  return path.resolve(path.dirname(from), specifier).replace(/\.js$/, '.ts');
}

export interface UntestedModule {
  /** Relative to src/. */
  module: string;
  decisions: number;
}

/** The modules under srcDir with a decision that no unit test under unitDir imports (only those are parsed). */
export function untestedDecisions(srcDir: string, unitDir: string): UntestedModule[] {
  const imported = new Set<string>();
  for (const test of typeScriptFiles(unitDir).filter((file) => file.endsWith('.test.ts'))) {
    for (const spec of importedSpecifiers(readFileSync(test, 'utf8'))) imported.add(resolveSpecifier(test, spec));
  }
  return typeScriptFiles(srcDir)
    .filter((file) => !imported.has(file))
    .map((file) => ({ module: path.relative(srcDir, file), decisions: countDecisions(readFileSync(file, 'utf8')) }))
    .filter((entry) => entry.decisions > 0);
}
