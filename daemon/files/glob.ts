// Glob patterns (the shell's, plus `**` and `{a,b}`) compiled to a RegExp.
// Written here rather than taken from a package so the daemon bundle stays
// small and the error for a bad pattern is ours.
import { AppError } from '../../common/errors.js';

const badGlob = (pattern: string, why: string) =>
  new AppError('invalid_argument', `invalid glob ${JSON.stringify(pattern)}: ${why}`, {
    reason: 'BAD_REQUEST',
    hint: 'use *, ?, [abc], [!abc], {a,b} and ** (any depth); escape special characters with a backslash',
  });

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Compiles `pattern` to an anchored RegExp. `*` and `?` never cross a `/`;
 * `**` as a whole segment matches any number of segments.
 */
export function globToRegExp(pattern: string): RegExp {
  if (pattern.length === 0) throw badGlob(pattern, 'it is empty');
  if (pattern.length > 1024) throw badGlob(pattern.slice(0, 40) + '…', 'it is longer than 1024 characters');
  if (pattern.includes('\0')) throw badGlob(pattern, 'it contains a NUL byte');
  let re = '';
  let depth = 0; // inside {…}
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw badGlob(pattern, 'it ends with a lone backslash');
      re += escapeRe(next);
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        const atStart = i === 0 || pattern[i - 1] === '/';
        const atEnd = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (!atStart || !atEnd) throw badGlob(pattern, '** must be a whole path segment');
        if (pattern[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = findClass(pattern, i);
      if (close < 0) throw badGlob(pattern, `[ at position ${i + 1} is never closed`);
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      if (!body) throw badGlob(pattern, 'empty character class');
      re += `[${negate ? '^/' : ''}${classBody(body)}]`;
      i = close;
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else re += escapeRe(c);
  }
  if (depth > 0) throw badGlob(pattern, '{ is never closed');
  try {
    return new RegExp(`^${re}$`, 's');
  } catch (e) {
    throw badGlob(pattern, (e as Error).message);
  }
}

/** A glob class body as a RegExp class body: ranges kept, everything else literal. */
function classBody(body: string): string {
  let out = '';
  for (let k = 0; k < body.length; k++) {
    const ch = body[k]!;
    if (ch === '\\' && k + 1 < body.length) out += '\\' + body[++k];
    else if (ch === '-' && k > 0 && k < body.length - 1) out += '-';
    else out += /[\]\[\\^-]/.test(ch) ? '\\' + ch : ch;
  }
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1. A leading `]` is literal. */
function findClass(p: string, open: number): number {
  let j = open + 1;
  if (p[j] === '!' || p[j] === '^') j++;
  if (p[j] === ']') j++;
  for (; j < p.length; j++) {
    if (p[j] === '\\') j++;
    else if (p[j] === ']') return j;
  }
  return -1;
}

/** Patterns without a slash match a file's name; others its path relative to the search root. */
export function globMatcher(pattern: string): (relPath: string, name: string) => boolean {
  const re = globToRegExp(pattern.replace(/^\.\//, ''));
  return pattern.includes('/') ? (rel) => re.test(rel) : (_rel, name) => re.test(name);
}
