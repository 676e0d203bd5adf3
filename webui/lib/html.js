// Preact + htm: components are written as tagged templates, so the UI needs no
// JSX compiler to develop. Every interpolated string is rendered as text.
import { h, render } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
export { render };
export { useState, useEffect, useRef, useMemo, useCallback } from 'preact/hooks';
