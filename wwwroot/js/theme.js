// Remembers the theme chosen with the app bar's toggle for a year. The server reads it while prerendering, so a
// reload paints in the chosen theme from the first frame. Path "/" on purpose: the choice is per site, not per page.
export function remember(name, value) {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}
