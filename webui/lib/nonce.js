// The page's Content-Security-Policy admits <style> elements only with this
// answer's nonce (no 'unsafe-inline'). xterm writes its measured cell sizes
// into style elements it creates itself, so every style element created from
// here on carries the nonce, set before it is inserted (as browsers require).
export function stampStyleNonce(doc = document) {
  const nonce = doc.querySelector('meta[name="berth-style-nonce"]')?.getAttribute('content');
  if (!nonce) return;
  const create = doc.createElement.bind(doc);
  doc.createElement = (tag, options) => {
    const el = create(tag, options);
    if (String(tag).toLowerCase() === 'style') el.setAttribute('nonce', nonce);
    return el;
  };
}
