/**
 * Which rows of the Credentials tree to redraw when only time has passed. A row's look (state,
 * description, icon) is recorded as a key when VS Code draws it; the periodic tick redraws the rows
 * whose key differs now, and the expanded ones (their detail rows show relative times), instead of
 * the whole tree. Pure, no `vscode`: unit-tested in plain Node.
 */
export function rowsToRedraw(drawn: ReadonlyMap<string, string>, current: ReadonlyMap<string, string>, expanded: ReadonlySet<string>): string[] {
  const ids: string[] = [];
  // Rows VS Code never drew are asked for when they scroll into view: nothing to redraw.
  for (const [id, key] of drawn) {
    const now = current.get(id);
    if (now !== undefined && (now !== key || expanded.has(id))) ids.push(id);
  }
  return ids;
}
