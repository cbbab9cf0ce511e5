/**
 * `@vscode/l10n-dev export` (npm run l10n) collects only calls it can read: `l10n.t` or
 * `vscode.l10n.t` with a string literal, or an object literal whose `message` and `comment` are
 * literals. Any other call (a variable as the message, `l10n.t` handed around as a function, a
 * translate parameter) is skipped without a word, and its string never reaches
 * `l10n/bundle.l10n.json` or a translator. This test reads every file of src/ with the TypeScript
 * parser and names each such call, so that l10nBundle.test.ts can vouch for all of them.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const isLiteral = (node: ts.Node | undefined) => !!node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node));

/** `l10n.t` or `vscode.l10n.t`. */
function isL10nT(node: ts.Node): node is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(node) && node.name.text === 't' && /^(vscode\.)?l10n$/.test(node.expression.getText());
}

/** What l10n-dev can read: a literal, or `{ message: literal, args?, comment?: literal | [literals] }`. */
function readable(arg: ts.Expression | undefined): boolean {
  if (isLiteral(arg)) return true;
  if (!arg || !ts.isObjectLiteralExpression(arg)) return false;
  const property = (name: string) =>
    arg.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name)?.initializer;
  const comment = property('comment');
  const commentReadable = !comment || isLiteral(comment) || (ts.isArrayLiteralExpression(comment) && comment.elements.every(isLiteral));
  return isLiteral(property('message')) && commentReadable;
}

function problemsIn(file: string, text = fs.readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const where = (node: ts.Node) => `${path.relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (isL10nT(node)) {
      const call = node.parent;
      if (!ts.isCallExpression(call) || call.expression !== node) problems.push(`${where(node)}: l10n.t used as a value, not called`);
      else if (!readable(call.arguments[0])) problems.push(`${where(node)}: l10n.t(${call.arguments[0]?.getText().slice(0, 60) ?? ''}) is not a literal`);
    }
    // The pattern this replaced: a translate function passed in, called as t('…').
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 't') {
      problems.push(`${where(node)}: t(…) is not l10n.t, the export does not see it`);
    }
    if (ts.isTypeReferenceNode(node) && node.typeName.getText() === 'Translate') problems.push(`${where(node)}: a Translate parameter`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

describe('localized strings', () => {
  it('are all written where l10n-dev export can collect them', () => {
    const files = sourceFiles(path.join(root, 'src'));
    assert.ok(files.length > 100, 'read the sources');
    assert.deepEqual(
      files.flatMap((file) => problemsIn(file)),
      []
    );
  });

  it('catches what would escape the bundle', () => {
    const probe = [
      "import * as l10n from '@vscode/l10n';",
      'type Translate = (m: string) => string;',
      "const message = 'Hello';",
      'export const a = l10n.t(message);',
      'export const b = (t: Translate) => t("Hi");',
      'export const c = [1].map(() => l10n.t).length;',
      "export const d = l10n.t({ message: 'Fine', comment: [message] });",
      "export const e = l10n.t('Fine {0}', 1) + l10n.t({ message: 'Fine too', args: [1], comment: ['why'] });"
    ].join('\n');
    const found = problemsIn(path.join(root, 'src', 'probe.ts'), probe).map((p) => p.replace(/^[^:]+:(\d+): .*$/, '$1'));
    assert.deepEqual(found, ['4', '5', '5', '6', '7']);
  });
});
