import * as assert from 'node:assert/strict';
import { rowsToRedraw } from '../../../src/views/treeProjection';

describe('rowsToRedraw (the tree tick)', () => {
  const drawn = new Map([
    ['a', 'authorized\nAuthorized · adele\npass-filled'],
    ['b', 'authorized\nAuthorized · bob\npass-filled'],
    ['c', 'expiring\nExpiring soon · carol\nwarning']
  ]);

  it('redraws nothing when no row looks different and none is expanded', () => {
    assert.deepEqual(rowsToRedraw(drawn, new Map(drawn), new Set()), []);
  });

  it('redraws only the rows whose look changed', () => {
    const now = new Map(drawn).set('b', 'expiring\nExpiring soon · bob\nwarning');
    assert.deepEqual(rowsToRedraw(drawn, now, new Set()), ['b']);
  });

  it('redraws expanded rows too: their details show relative times', () => {
    assert.deepEqual(rowsToRedraw(drawn, new Map(drawn), new Set(['c'])), ['c']);
  });

  it('skips rows that were never drawn or are gone', () => {
    const now = new Map(drawn).set('new', 'unauthorized\nUnauthorized\ncircle-large-outline');
    now.delete('a');
    assert.deepEqual(rowsToRedraw(drawn, now, new Set(['a'])), []);
  });
});
