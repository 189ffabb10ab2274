// core/text.ts: what reaches a terminal, a log line or a phone from text nfmon did not write.
import { describe, expect, it } from 'vitest';
import { cutText, ELLIPSIS, hasUnsafe, safeField, safeLines, safeText } from '../../src/core/text.js';

describe('safeText', () => {
  it.each([
    ['plain', 'living-room-tv', 'living-room-tv'],
    ['non-ASCII letters stay', 'Café Müller – 東京 📺', 'Café Müller – 東京 📺'],
    ['OSC set-title', '\u001b]0;pwned\u0007tv', '\\x1b]0;pwned\\x07tv'],
    ['clear screen', '\u001b[2Jtv', '\\x1b[2Jtv'],
    ['CR and LF forge rows', 'tv\r\nforged  row', 'tv\\r\\nforged  row'],
    ['tab', 'a\tb', 'a\\tb'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a\\x00b\\x7f'],
    ['C1 CSI (0x9b)', 'a\u009b2Jb', 'a\\x9b2Jb'],
    ['right-to-left override', '\u202eexe.txt', '\\u202eexe.txt'],
    ['bidi embeddings and isolates', '\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069', '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069'],
    ['zero-width and directional marks', 'a\u200bb\u200ec\u200f', 'a\\u200bb\\u200ec\\u200f'],
    ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
    ['lone surrogates', 'a\ud800b\udc00', 'a\\ud800b\\udc00'],
    ['a surrogate pair is text', '\ud83d\udcfa', '\ud83d\udcfa'],
  ])('%s', (_name, input, expected) => {
    expect(safeText(input)).toBe(expected);
    expect(hasUnsafe(safeText(input))).toBe(false);
  });

  it('escapes every C0, C1 and DEL code point', () => {
    for (let c = 0; c <= 0x9f; c++) {
      if (c >= 0x20 && c < 0x7f) continue;
      const out = safeText(String.fromCharCode(c));
      expect(out, `U+${c.toString(16)}`).toMatch(/^\\(x[0-9a-f]{2}|[tnr])$/);
    }
  });
});

describe('cutText and safeField', () => {
  it('leaves short text alone and cuts long text to the width, ellipsis included', () => {
    expect(cutText('abc', 3)).toBe('abc');
    expect(cutText('abcd', 3)).toBe(`ab${ELLIPSIS}`);
    expect([...cutText('x'.repeat(5000), 48)]).toHaveLength(48);
  });

  it('counts code points and never splits a surrogate pair', () => {
    const tv = '\ud83d\udcfa';
    expect(cutText(tv.repeat(3), 3)).toBe(tv.repeat(3));
    expect(cutText(tv.repeat(4), 3)).toBe(`${tv}${tv}${ELLIPSIS}`);
  });

  it('escapes before cutting, so the width is what the terminal shows', () => {
    expect(safeField('\u001b[2J'.repeat(100), 10)).toBe(`\\x1b[2J\\x${ELLIPSIS}`);
  });
});

describe('safeLines', () => {
  it('keeps our own newlines and escapes the rest', () => {
    expect(safeLines('Profile \u001b[31mKids\nnext line\r')).toBe('Profile \\x1b[31mKids\nnext line\\r');
  });
});
